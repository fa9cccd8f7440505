/*
 * check_main.c - runs every Check suite; CK_RUN_SUITE / CK_RUN_CASE pick
 * one, CK_FORK=no runs in-process (for gdb and valgrind).
 */
#include <stdio.h>
#include <stdlib.h>

#include "strato/log.h"
#include "suites.h"
#include "testdb.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	st_log_setup("check_strato", ST_LOG_ERROR, ST_LOG_TEXT);
	if (testdb_prepare_template() < 0) {
		fprintf(stderr, "check_strato: cannot prepare the template "
			"database\n");
		return 1;
	}
	sr = srunner_create(util_suite());
	srunner_add_suite(sr, table_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, phone_suite());
	srunner_add_suite(sr, normalize_suite());
	srunner_add_suite(sr, csv_suite());
	srunner_add_suite(sr, cmd_suite());
	srunner_add_suite(sr, tenant_suite());
	srunner_add_suite(sr, user_suite());
	srunner_add_suite(sr, migrate_suite());
	srunner_add_suite(sr, isolation_suite());
	srunner_add_suite(sr, catalog_suite());
	srunner_add_suite(sr, property_suite());
	srunner_add_suite(sr, lead_suite());
	srunner_add_suite(sr, lead_list_suite());
	srunner_add_suite(sr, campaign_config_suite());
	srunner_add_suite(sr, personalize_suite());
	srunner_add_suite(sr, view_suite());
	srunner_add_suite(sr, crypto_suite());
	srunner_add_suite(sr, lead_estimate_suite());
	srunner_add_suite(sr, ingest_suite());
	srunner_add_suite(sr, http_suite());
	srunner_add_suite(sr, provider_calls_suite());
	srunner_add_suite(sr, send_async_suite());
	srunner_set_xml(sr, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

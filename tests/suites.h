/*
 * suites.h - every Check suite, one per module (tests/check_<module>.c).
 */
#ifndef STRATO_SUITES_H
#define STRATO_SUITES_H

#include <check.h>

Suite *util_suite(void);
Suite *table_suite(void);
Suite *log_suite(void);
Suite *phone_suite(void);
Suite *normalize_suite(void);
Suite *csv_suite(void);
Suite *cmd_suite(void);
Suite *tenant_suite(void);
Suite *user_suite(void);
Suite *migrate_suite(void);
Suite *isolation_suite(void);
Suite *catalog_suite(void);
Suite *property_suite(void);
Suite *lead_suite(void);
Suite *lead_list_suite(void);
Suite *campaign_config_suite(void);
Suite *personalize_suite(void);
Suite *view_suite(void);
Suite *crypto_suite(void);
Suite *lead_estimate_suite(void);
Suite *ingest_suite(void);
Suite *http_suite(void);
Suite *provider_calls_suite(void);
Suite *send_async_suite(void);

#endif

/*
 * phone.h - phone numbers to E.164, on libphonenumber.
 *
 * The one normaliser of STRATO, shared by the legacy copy, the CSV import
 * and the webhook ingestion. libphonenumber knows every country's numbering
 * plan, including Argentina's mobile forms ("011 15 2345-6789" and
 * "+54 9 11 2345-6789" are the same +5491123456789). Numbers without a
 * country code are read in the tenant's default region. Thread-safe.
 */
#ifndef STRATO_PHONE_H
#define STRATO_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Room for "+" and 15 digits and the NUL, with margin. */
#define ST_PHONE_MAX 24

enum st_phone_result {
	ST_PHONE_VALID = 0,   /* out holds the E.164 form */
	ST_PHONE_INVALID = 1, /* a number, but not one the plan allows */
	ST_PHONE_EMPTY = 2,   /* NULL, blank, or no digits to speak of */
};

/*
 * Normalise raw to E.164 in out (ST_PHONE_MAX bytes), reading numbers
 * without "+" in region (ISO 3166-1 alpha-2, e.g. "AR"; NULL means "AR").
 * out is "" unless the result is ST_PHONE_VALID.
 */
enum st_phone_result st_phone_normalize(const char *raw, const char *region,
					char *out);

/* True when region is an ISO 3166 code with a numbering plan ("AR"). */
bool st_phone_region_valid(const char *region);

#ifdef __cplusplus
}
#endif
#endif

/*
 * phone.cc - st_phone_normalize() on libphonenumber, behind a C interface.
 *
 * PhoneNumberUtil::Parse() costs about 30 microseconds a number, most of it
 * in regular expressions for punctuation and national prefixes. Numbers that
 * already arrive as "+" and digits (most of what chat providers and the
 * legacy install hold) take a fast path: the country code is found by
 * prefix (country codes are prefix-free) and only validation runs, about 4
 * microseconds. Anything else, and any country whose national numbers keep
 * a leading zero, goes through Parse().
 */
#include <cstring>
#include <string>

#include <phonenumbers/phonenumberutil.h>

#include "strato/phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/* Digits of s after an optional '+', skipping common separators. Returns
 * false when anything else appears. */
bool
plain_international(const char *s, std::string *digits)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (*p != '+')
		return false;
	for (p++; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits->push_back(*p);
		else if (!std::strchr(" -.()", *p))
			return false;
	}
	return digits->size() >= 7 && digits->size() <= 15;
}

bool
fast_path(const PhoneNumberUtil *u, const std::string &digits, PhoneNumber *n)
{
	for (size_t len = 1; len <= 3 && len < digits.size(); len++) {
		int cc = std::stoi(digits.substr(0, len));
		std::string region;

		u->GetRegionCodeForCountryCode(cc, &region);
		if (region == "ZZ")
			continue;
		std::string national = digits.substr(len);
		/* Leading zeros (Italy and a few others) need Parse(). */
		if (national.empty() || national[0] == '0' || national.size() > 17)
			return false;
		n->Clear();
		n->set_country_code(cc);
		n->set_national_number(std::stoull(national));
		return true;
	}
	return false;
}

} // namespace

extern "C" enum st_phone_result
st_phone_normalize(const char *raw, const char *region, char *out)
{
	const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
	PhoneNumber n;
	std::string digits;
	std::string e164;
	bool parsed = false;

	out[0] = '\0';
	if (!raw)
		return ST_PHONE_EMPTY;
	if (plain_international(raw, &digits))
		parsed = fast_path(u, digits, &n);
	if (!parsed) {
		size_t ndigits = 0;

		for (const char *p = raw; *p; p++)
			ndigits += (*p >= '0' && *p <= '9');
		if (ndigits < 3)
			return ST_PHONE_EMPTY;
		if (u->Parse(raw, region && *region ? region : "AR", &n) !=
		    PhoneNumberUtil::NO_PARSING_ERROR)
			return ST_PHONE_INVALID;
	}
	if (!u->IsValidNumber(n))
		return ST_PHONE_INVALID;
	u->Format(n, PhoneNumberUtil::E164, &e164);
	if (e164.size() >= ST_PHONE_MAX)
		return ST_PHONE_INVALID;
	std::memcpy(out, e164.c_str(), e164.size() + 1);
	return ST_PHONE_VALID;
}

/* Is region a country libphonenumber knows ("AR", "UY")? Upper case only. */
extern "C" bool
st_phone_region_valid(const char *region)
{
	const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();

	return region && std::strlen(region) == 2 &&
	       u->GetCountryCodeForRegion(region) != 0;
}

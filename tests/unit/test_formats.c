/*
 * test_formats.c: unit tests for contracts/match/value_formats.c: Java date/time
 * patterns (checking and matching), the ISO 8601 defaults, Semantic
 * Versioning, and media types guessed from content.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "contracts/match/internal.h"
#include "tests/unit/check_main.h"

struct dt_case {
	const char *pattern;
	const char *value;
	int want;
};

/* Runs a table of fmt_match_datetime cases, naming the one that fails. */
static void check_cases(enum matcher_type kind, const struct dt_case *c,
			size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		ck_assert_msg(fmt_match_datetime(kind, c[i].pattern,
						 c[i].value) == c[i].want,
			      "pattern \"%s\" value \"%s\": want %d",
			      c[i].pattern ? c[i].pattern : "(iso)", c[i].value,
			      c[i].want);
}

#define CHECK_CASES(kind, tab)                                                 \
	check_cases(kind, tab, sizeof(tab) / sizeof(tab[0]))

START_TEST(test_date_yyyy_mm_dd)
{
	static const struct dt_case c[] = {
		{ "yyyy-MM-dd", "2024-05-01", 1 },
		{ "yyyy-MM-dd", "2024-02-29", 1 },
		{ "yyyy-MM-dd", "2000-02-29", 1 },
		{ "yyyy-MM-dd", "2023-02-29", 0 },
		{ "yyyy-MM-dd", "1900-02-29", 0 },
		{ "yyyy-MM-dd", "2024-04-31", 0 },
		{ "yyyy-MM-dd", "2024-13-01", 0 },
		{ "yyyy-MM-dd", "2024-00-10", 0 },
		{ "yyyy-MM-dd", "2024-01-00", 0 },
		{ "yyyy-MM-dd", "2024-1-01", 0 },
		{ "yyyy-MM-dd", "24-01-01", 0 },
		{ "yyyy-MM-dd", "2024-01-01 ", 0 },
		{ "yyyy-MM-dd", "2024-01-01T00:00", 0 },
		{ "yyyy-MM-dd", "2024/01/01", 0 },
		{ "yyyy-MM-dd", "", 0 },
		{ "yyyy-M-d", "2024-5-1", 1 },
		{ "yyyy-M-d", "2024-12-31", 1 },
		{ "yyyy-M-d", "2024-123-1", 0 },
		{ "yyyyMMdd", "20240501", 1 },
		{ "yyyyMMdd", "20240231", 0 },
		{ "yyyy-DDD", "2024-366", 1 },
		{ "yyyy-DDD", "2023-366", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_datetime_with_offset)
{
	static const char *p = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
	const struct dt_case c[] = {
		{ p, "2024-05-01T10:20:30.123+02:00", 1 },
		{ p, "2024-05-01T10:20:30.123Z", 1 },
		{ p, "2024-05-01T10:20:30.123-11:30", 1 },
		{ p, "2024-05-01T10:20:30.12Z", 0 },
		{ p, "2024-05-01T10:20:30.1234Z", 0 },
		{ p, "2024-05-01T10:20:30.123+0200", 0 },
		{ p, "2024-05-01T10:20:30.123+19:00", 0 },
		{ p, "2024-05-01T24:20:30.123Z", 0 },
		{ p, "2024-05-01T10:60:30.123Z", 0 },
		{ p, "2024-05-01 10:20:30.123Z", 0 },
		{ p, "2024-05-01T10:20:30.123", 0 },
		{ "yyyy-MM-dd'T'HH:mm:ssZ", "2024-05-01T10:20:30+0200", 1 },
		{ "yyyy-MM-dd'T'HH:mm:ssZ", "2024-05-01T10:20:30+02:00", 0 },
		{ "yyyy-MM-dd'T'HH:mm:ssX", "2024-05-01T10:20:30+02", 1 },
		{ "yyyy-MM-dd'T'HH:mm:ssX", "2024-05-01T10:20:30+0230", 1 },
		{ "yyyy-MM-dd'T'HH:mm:ssx", "2024-05-01T10:20:30Z", 0 },
		{ "yyyy-MM-dd'T'HH:mm:ss'['VV']'",
		  "2024-05-01T10:20:30[Europe/London]", 1 },
	};
	CHECK_CASES(M_DATETIME, c);
}
END_TEST

START_TEST(test_time_patterns)
{
	static const struct dt_case c[] = {
		{ "HH:mm", "00:00", 1 },
		{ "HH:mm", "23:59", 1 },
		{ "HH:mm", "24:00", 0 },
		{ "HH:mm", "9:30", 0 },
		{ "HH:mm", "09:30:00", 0 },
		{ "H:mm", "9:30", 1 },
		{ "hh:mm a", "09:30 PM", 1 },
		{ "hh:mm a", "12:00 am", 1 },
		{ "hh:mm a", "13:00 PM", 0 },
		{ "hh:mm a", "00:10 AM", 0 },
		{ "HH:mm a", "13:00 PM", 1 },
		{ "HH:mm a", "13:00 AM", 0 },
		{ "kk:mm", "24:00", 1 },
		{ "KK:mm", "11:59", 1 },
		{ "KK:mm", "12:00", 0 },
		{ "HH:mm:ss.S", "10:20:30.5", 1 },
		{ "HH:mm:ss.S", "10:20:30.55", 0 },
	};
	CHECK_CASES(M_TIME, c);
}
END_TEST

START_TEST(test_rfc1123_and_short_years)
{
	static const char *p = "EEE, dd MMM yyyy HH:mm:ss z";
	const struct dt_case c[] = {
		{ p, "Wed, 01 May 2024 10:20:30 GMT", 1 },
		{ p, "Thu, 29 Feb 2024 00:00:00 UTC", 1 },
		{ p, "Wed, 01 May 2024 10:20:30 PST", 1 },
		{ p, "Wed, 01 May 2024 10:20:30 GMT+02:00", 1 },
		{ p, "Thu, 01 May 2024 10:20:30 GMT", 0 }, /* wrong weekday */
		{ p, "Wed, 01 Mai 2024 10:20:30 GMT", 0 },
		{ p, "Wed, 1 May 2024 10:20:30 GMT", 0 },
		{ p, "Wed, 01 May 2024 10:20:30", 0 },
		{ "EEEE, d MMMM yyyy", "Wednesday, 1 May 2024", 1 },
		{ "EEEE, d MMMM yyyy", "Wednesday, 1 Maybe 2024", 0 },
		{ "dd/MM/yy", "31/12/99", 1 },
		{ "dd/MM/yy", "29/02/24", 1 },
		{ "dd/MM/yy", "29/02/23", 0 },
		{ "dd/MM/yy", "31/12/1999", 0 },
		{ "dd/MM/yy", "1/12/99", 0 },
		{ "zzzz", "Pacific Standard Time", 1 },
	};
	CHECK_CASES(M_DATETIME, c);
}
END_TEST

START_TEST(test_optional_sections_and_literals)
{
	static const struct dt_case c[] = {
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01", 1 },
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01T10:20", 1 },
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01T10:20:30", 1 },
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01T10", 0 },
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01T10:20:", 0 },
		{ "yyyy-MM-dd['T'HH:mm[:ss]]", "2024-05-01T10:20:61", 0 },
		{ "HH 'o''clock'", "10 o'clock", 1 },
		{ "HH''mm", "10'20", 1 },
		{ "'at' HH", "at 10", 1 },
		{ "'at' HH", "At 10", 0 },
	};
	CHECK_CASES(M_DATETIME, c);
}
END_TEST

START_TEST(test_iso_defaults)
{
	static const struct dt_case d[] = {
		{ NULL, "2024-05-01", 1 },
		{ NULL, "2024-02-30", 0 },
		{ NULL, "2024-05-01T00:00:00", 0 },
		{ NULL, "20240501", 0 },
	};
	static const struct dt_case t[] = {
		{ NULL, "10:20", 1 },
		{ NULL, "10:20:30", 1 },
		{ NULL, "10:20:30.123456789", 1 },
		{ NULL, "10:20:30Z", 1 },
		{ NULL, "10:20:30.5+05:30", 1 },
		{ NULL, "10:20+01:00", 1 },
		{ NULL, "10:20:30.1234567890", 0 },
		{ NULL, "10:20:30.", 0 },
		{ NULL, "25:00", 0 },
		{ NULL, "10", 0 },
	};
	static const struct dt_case dt[] = {
		{ NULL, "2024-05-01T10:20:30", 1 },
		{ NULL, "2024-05-01 10:20:30", 1 },
		{ NULL, "2024-05-01T10:20:30.5Z", 1 },
		{ NULL, "2024-05-01T10:20:30.123456+02:00", 1 },
		{ NULL, "2024-05-01T10:20:30-0700", 1 },
		{ NULL, "2024-05-01T10:20", 0 },
		{ NULL, "2024-05-01", 0 },
		{ NULL, "2024-05-32T10:20:30", 0 },
		{ NULL, "2024-05-01T10:20:30+2", 0 },
		{ NULL, "2024-05-01X10:20:30", 0 },
	};
	CHECK_CASES(M_DATE, d);
	CHECK_CASES(M_TIME, t);
	CHECK_CASES(M_DATETIME, dt);
	/* no ISO default for other matcher types */
	ck_assert_int_eq(fmt_match_datetime(M_REGEX, NULL, "2024-05-01"), 0);
}
END_TEST

START_TEST(test_quarter)
{
	static const struct dt_case c[] = {
		{ "yyyy-MM-dd 'Q'q", "2024-05-01 Q2", 1 },
		{ "yyyy-MM-dd 'Q'q", "2024-05-01 Q3", 0 }, /* May is in Q2 */
		{ "yyyy-MM-dd 'Q'q", "2024-05-01 Q5", 0 },
		{ "yyyy-MM-dd 'Q'q", "2024-05-01 Q", 0 },
		{ "yyyy-MM-dd 'Q'Q", "2024-12-31 Q4", 1 },
		{ "yyyy-MM-dd 'Q'Q", "2024-01-01 Q0", 0 },
		{ "yyyy QQ", "2024 02", 1 },
		{ "yyyy QQ", "2024 2", 0 },
		{ "yyyy-MM QQQ", "2024-03 Q1", 1 },
		{ "yyyy-MM QQQ", "2024-04 Q1", 0 },
		{ "yyyy qqq", "2024 Q4", 1 },
		{ "yyyy qqq", "2024 4", 0 },
		{ "QQQQ yyyy", "2nd quarter 2024", 1 },
		{ "qqqq yyyy", "4th quarter 2024", 1 },
		{ "QQQQ yyyy", "2th quarter 2024", 0 },
		{ "QQQQ yyyy", "Q2 2024", 0 },
		{ "yyyy-MM QQQQQ", "2024-11 4", 1 },
		{ "yyyy-MM QQQQQ", "2024-11 3", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_era)
{
	static const struct dt_case c[] = {
		{ "yyyy G", "2024 AD", 1 },
		{ "yyyy G", "2024 BC", 1 },
		{ "yyyy G", "2024 CE", 0 },
		{ "yyyy GGG", "2024 AD", 1 },
		{ "GGGG yyyy", "Anno Domini 2024", 1 },
		{ "GGGG yyyy", "Before Christ 0044", 1 },
		{ "GGGG yyyy", "AD 2024", 0 },
		{ "GGGGG y", "A 1", 1 },
		{ "GGGGG y", "AD 1", 0 },
		/* 5 BC is the proleptic year -4, a leap year; AD 5 is not */
		{ "G yyyy-MM-dd", "BC 0005-02-29", 1 },
		{ "G yyyy-MM-dd", "AD 0005-02-29", 0 },
		{ "yyyy-MM-dd G EEE", "2024-05-01 AD Wed", 1 },
		{ "yyyy-MM-dd G EEE", "2024-05-01 AD Thu", 0 },
		/* u is the proleptic year: 0 and below are BC */
		{ "G uuuu", "AD 2024", 1 },
		{ "G uuuu", "BC 2024", 0 },
		{ "G uuuu", "BC 0000", 1 },
		{ "yyyy uuuu", "2024 2024", 1 },
		{ "yyyy uuuu", "0001 0000", 1 },
		{ "yyyy uuuu", "2024 2023", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_weeks)
{
	static const struct dt_case c[] = {
		{ "YYYY-'W'ww", "2024-W18", 1 },
		{ "YYYY-'W'ww", "2024-W53", 1 },
		{ "YYYY-'W'ww", "2024-W54", 0 },
		{ "YYYY-'W'ww", "2024-W00", 0 },
		{ "YYYY-'W'ww", "2024-W5", 0 },
		{ "YYYY-'W'w", "2024-W5", 1 },
		{ "YYYY-'W'w", "2024-W50", 1 },
		{ "YY-ww", "24-05", 1 },
		/* late December can be week 1 of the next week-based year */
		{ "yyyy-MM-dd YYYY ww", "2024-12-30 2025 01", 1 },
		{ "yyyy-MM-dd YYYY ww", "2024-12-30 2024 01", 0 },
		{ "yyyy-MM-dd YYYY ww", "2024-12-30 2025 52", 0 },
		{ "yyyy-MM-dd YYYY", "2024-06-30 2025", 0 },
		{ "yyyy-MM-dd YYYY ww", "2021-01-02 2020 53", 1 },
		{ "yyyy-MM-dd YYYY ww", "2021-01-02 2021 53", 0 },
		{ "yyyy-MM-dd YYYY", "2021-01-20 2020", 0 },
		{ "yyyy-MM W", "2024-05 0", 1 },
		{ "yyyy-MM W", "2024-05 6", 1 },
		{ "yyyy-MM W", "2024-05 7", 0 },
		/* F: the week of the month, or in older JDKs the day in it */
		{ "yyyy-MM-dd F", "2024-05-15 3", 1 },
		{ "yyyy-MM-dd F", "2024-05-15 1", 1 },
		{ "yyyy-MM-dd F", "2024-05-15 2", 0 },
		{ "F", "8", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_localized_day_of_week)
{
	static const struct dt_case c[] = {
		/* numbers depend on the locale's first day of the week */
		{ "yyyy-MM-dd e", "2024-05-01 3", 1 },
		{ "yyyy-MM-dd e", "2024-05-01 4", 1 },
		{ "yyyy-MM-dd e", "2024-05-01 0", 0 },
		{ "yyyy-MM-dd e", "2024-05-01 8", 0 },
		{ "yyyy-MM-dd e", "2024-05-01 04", 0 },
		{ "yyyy-MM-dd ee", "2024-05-01 04", 1 },
		{ "yyyy-MM-dd ee", "2024-05-01 4", 0 },
		/* names are checked against the date */
		{ "yyyy-MM-dd eee", "2024-05-01 Wed", 1 },
		{ "yyyy-MM-dd eee", "2024-05-01 Thu", 0 },
		{ "eeee, d MMMM yyyy", "Wednesday, 1 May 2024", 1 },
		{ "eeee, d MMMM yyyy", "Wed, 1 May 2024", 0 },
		{ "yyyy-MM-dd c", "2024-05-01 7", 1 },
		{ "yyyy-MM-dd c", "2024-05-01 9", 0 },
		{ "yyyy-MM-dd ccc", "2024-05-01 Wed", 1 },
		{ "yyyy-MM-dd cccc", "2024-05-01 Tuesday", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_standalone_month)
{
	static const struct dt_case c[] = {
		{ "yyyy-LL-dd", "2024-05-01", 1 },
		{ "yyyy-LL-dd", "2024-13-01", 0 },
		{ "yyyy-LL-dd", "2024-5-01", 0 },
		{ "yyyy-L-dd", "2024-5-01", 1 },
		{ "LLL yyyy", "May 2024", 1 },
		{ "LLL yyyy", "Mai 2024", 0 },
		{ "LLLL d, yyyy", "February 29, 2024", 1 },
		{ "LLLL d, yyyy", "February 30, 2024", 0 },
		{ "LLLL d, yyyy", "Feb 29, 2024", 0 },
		{ "yyyy-MM LLL", "2024-05 May", 1 },
		{ "yyyy-MM LLL", "2024-05 Jun", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_nanos_and_time_of_day)
{
	static const struct dt_case c[] = {
		{ "HH:mm:ss.n", "10:20:30.5", 1 },
		{ "HH:mm:ss.n", "10:20:30.123456789", 1 },
		{ "HH:mm:ss.n", "10:20:30.1234567890", 0 },
		{ "HH:mm:ss.n", "10:20:30.", 0 },
		{ "HH:mm:ss.n", "10:20:30.x", 0 },
		{ "nnn", "012", 1 },
		{ "nnn", "12", 0 },
		/* S is a fraction, n a count of nanoseconds */
		{ "HH:mm:ss.SSS n", "10:20:30.123 123000000", 1 },
		{ "HH:mm:ss.SSS n", "10:20:30.123 123", 0 },
		/* A: milliseconds of the day, N: nanoseconds of the day */
		{ "HH:mm:ss A", "10:20:30 37230000", 1 },
		{ "HH:mm:ss A", "10:20:30 37231000", 0 },
		{ "A", "86399999", 1 },
		{ "A", "86400000", 0 },
		{ "HH:mm:ss.SSS A", "10:20:30.123 37230123", 1 },
		{ "HH:mm:ss.SSS A", "10:20:30.124 37230123", 0 },
		{ "hh:mm a A", "10:20 PM 80400000", 1 },
		{ "hh:mm a A", "10:20 AM 80400000", 0 },
		{ "HH:mm N", "10:20 37200000000000", 1 },
		{ "HH:mm N", "11:20 37200000000000", 0 },
		{ "N", "86400000000000", 0 },
		/* g: the modified Julian day, 0 on 17 November 1858 */
		{ "yyyy-MM-dd g", "2024-05-01 60431", 1 },
		{ "yyyy-MM-dd g", "2024-05-01 60432", 0 },
		{ "yyyy-MM-dd g", "1858-11-17 0", 1 },
		{ "yyyy-MM-dd g", "1858-11-16 -1", 1 },
		{ "yyyy-MM-dd g", "1858-11-16 1", 0 },
	};
	CHECK_CASES(M_DATETIME, c);
}
END_TEST

START_TEST(test_zones_and_offsets)
{
	static const struct dt_case c[] = {
		{ "HH:mm O", "10:20 GMT+8", 1 },
		{ "HH:mm O", "10:20 GMT+08:00", 1 },
		{ "HH:mm O", "10:20 GMT-5:30", 1 },
		{ "HH:mm O", "10:20 GMT", 1 },
		{ "HH:mm O", "10:20 UTC+8", 0 },
		{ "HH:mm O", "10:20 GMT+19", 0 },
		{ "HH:mm O", "10:20 +08:00", 0 },
		{ "HH:mm O", "10:20 GMT+8:3", 0 },
		{ "HH:mm OOOO", "10:20 GMT+08:00", 1 },
		{ "HH:mm OOOO", "10:20 GMT-11:30:15", 1 },
		{ "HH:mm OOOO", "10:20 GMT", 1 },
		{ "HH:mm OOOO", "10:20 GMT+8", 0 },
		{ "HH:mm OOOO", "10:20 GMT+0800", 0 },
		{ "HH:mm v", "10:20 PT", 1 },
		{ "HH:mm v", "10:20 Europe/London", 1 },
		{ "HH:mm vvvv", "10:20 Pacific Time", 1 },
		{ "HH:mm vvvv", "10:20 Central European Time", 1 },
		{ "HH:mm v", "10:20 Pacific Time", 0 },
		{ "HH:mm v", "10:20 pt", 0 },
	};
	CHECK_CASES(M_TIME, c);
}
END_TEST

START_TEST(test_day_periods)
{
	static const struct dt_case c[] = {
		{ "h:mm B", "10:30 in the morning", 1 },
		{ "h:mm B", "10:30 at night", 1 }, /* 22:30 */
		{ "h:mm B", "3:00 in the morning", 0 },
		{ "h:mm B", "10:30 in the night", 0 },
		{ "HH:mm B", "14:00 in the afternoon", 1 },
		{ "HH:mm B", "14:00 in the morning", 0 },
		{ "HH:mm B", "19:00 in the evening", 1 },
		{ "HH:mm B", "19:00 at night", 0 },
		{ "HH:mm B", "02:00 at night", 1 },
		{ "HH:mm B", "12:00 noon", 1 },
		{ "HH:mm B", "12:30 noon", 0 },
		{ "HH:mm B", "00:00 midnight", 1 },
		{ "HH:mm B", "00:00 noon", 0 },
		{ "HH:mm BBBB", "09:15 in the morning", 1 },
		{ "HH:mm BBBBB", "12:00 n", 1 },
		{ "HH:mm BBBBB", "00:00 mi", 1 },
		{ "HH:mm B", "12:00 n", 0 },
		{ "B h 'o''clock'", "at night 9 o'clock", 1 },
	};
	CHECK_CASES(M_TIME, c);
}
END_TEST

START_TEST(test_padding)
{
	static const struct dt_case c[] = {
		{ "ppH:mm", " 9:30", 1 },
		{ "ppH:mm", "10:30", 1 },
		{ "ppH:mm", "9:30", 0 }, /* the field fills its pad width */
		{ "ppH:mm", "  9:30", 0 },
		{ "ppH:mm", " 09:30", 0 },
		{ "pppMMM yyyy", "May 2024", 1 },
		{ "ppppMMM yyyy", " May 2024", 1 },
		{ "ppppMMM yyyy", "May 2024", 0 },
		{ "yyyy-MM-ppd", "2024-05- 1", 1 },
		{ "yyyy-MM-ppd", "2024-05-31", 1 },
		{ "yyyy-MM-ppd", "2024-05-32", 0 },
	};
	CHECK_CASES(M_DATE, c);
}
END_TEST

START_TEST(test_check_pattern)
{
	static const char *const good[] = {
		"yyyy-MM-dd",
		"yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
		"EEE, dd MMM yyyy HH:mm:ss z",
		"uuuu-DDD",
		"hh:mm a",
		"yyyy[-MM[-dd]]",
		"'It''s' HH",
		"yyyy-MM-dd'T'HH:mm:ss'['VV']'",
		"yyyy-MM-dd 'Q'q",
		"G GGGG GGGGG yyyy QQ QQQ QQQQ QQQQQ",
		"YYYY-'W'ww-e ee eee eeee c ccc cccc W F",
		"LL LLL LLLL D g",
		"h:mm B BBBB BBBBB",
		"HH:mm:ss.n nnnnnnnnn A N",
		"O OOOO v vvvv z zzzz VV X x Z",
		"ppH:mm pppppMMM",
	};
	static const struct {
		const char *pattern, *why;
	} bad[] = {
		{ "GGGGGG", "too many pattern letters 'G' (at most 5)" },
		{ "qqqqqq", "too many pattern letters 'q' (at most 5)" },
		{ "www", "too many pattern letters 'w' (at most 2)" },
		{ "WW", "too many pattern letters 'W' (at most 1)" },
		{ "LLLLL", "too many pattern letters 'L' (at most 4)" },
		{ "eeeee", "too many pattern letters 'e' (at most 4)" },
		{ "FF", "too many pattern letters 'F' (at most 1)" },
		{ "nnnnnnnnnn", "too many pattern letters 'n' (at most 9)" },
		{ "cc", "pattern letter 'c' must appear 1, 3 or 4 times" },
		{ "BB", "pattern letter 'B' must appear 1, 4 or 5 times" },
		{ "BBBBBB", "pattern letter 'B' must appear 1, 4 or 5 times" },
		{ "OO", "pattern letter 'O' must appear 1 or 4 times" },
		{ "OOOOO", "pattern letter 'O' must appear 1 or 4 times" },
		{ "vvv", "pattern letter 'v' must appear 1 or 4 times" },
		{ "HH pp",
		  "pad letter 'p' must be followed by a pattern letter" },
		{ "pp'x'",
		  "pad letter 'p' must be followed by a pattern letter" },
		{ "p[H]",
		  "pad letter 'p' must be followed by a pattern letter" },
		{ "ppb", "unknown pattern letter 'b'" },
		{ "yyyy{", "reserved pattern character '{'" },
		{ "}", "reserved pattern character '}'" },
	};
	char why[128];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(fmt_check_pattern(good[i], why, sizeof(why)) == 0,
			      "\"%s\": %s", good[i], why);

	ck_assert_int_eq(fmt_check_pattern("yyyy-bb", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "unknown pattern letter 'b'");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(fmt_check_pattern(bad[i].pattern, why,
						sizeof(why)) == -1,
			      "\"%s\" accepted", bad[i].pattern);
		ck_assert_str_eq(why, bad[i].why);
	}
	ck_assert_int_eq(fmt_check_pattern("HH:mm 'h", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "unterminated quoted literal");
	ck_assert_int_eq(fmt_check_pattern("yyyy[-MM", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "unclosed optional section '['");
	ck_assert_int_eq(fmt_check_pattern("yyyy]", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "']' without a matching '['");
	ck_assert_int_eq(fmt_check_pattern("MMMMM", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "too many pattern letters 'M' (at most 4)");
	ck_assert_int_eq(fmt_check_pattern("V", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "pattern letter 'V' must appear exactly twice");
	ck_assert_int_eq(fmt_check_pattern("yyyy#", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "reserved pattern character '#'");
	ck_assert_int_eq(fmt_check_pattern("", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "empty pattern");
	/* the ISO defaults' private letters are not for contracts */
	ck_assert_int_eq(fmt_check_pattern("HH:mm.f", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "unknown pattern letter 'f'");
	/* a NULL or short reason buffer is fine */
	ck_assert_int_eq(fmt_check_pattern("b", NULL, 0), -1);
	ck_assert_int_eq(fmt_check_pattern("b", why, 4), -1);
	ck_assert_str_eq(why, "unk");
	/* and an invalid pattern never matches */
	ck_assert_int_eq(fmt_match_datetime(M_DATE, "yyyy-bb", "2024-01"), 0);
}
END_TEST

START_TEST(test_hostile_patterns)
{
	char pat[512], why[128];
	char val[300];
	size_t i;

	/* 16 levels of optional sections are fine, 17 are not */
	memset(pat, 0, sizeof(pat));
	for (i = 0; i < 16; i++)
		pat[i] = '[';
	pat[16] = 'y';
	for (i = 0; i < 16; i++)
		pat[17 + i] = ']';
	ck_assert_int_eq(fmt_check_pattern(pat, why, sizeof(why)), 0);
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, "2024"), 1);
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, ""), 1);
	memset(pat, 0, sizeof(pat));
	for (i = 0; i < 17; i++)
		pat[i] = '[';
	pat[17] = 'y';
	for (i = 0; i < 17; i++)
		pat[18 + i] = ']';
	ck_assert_int_eq(fmt_check_pattern(pat, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "optional sections nested deeper than 16");

	/* overlong patterns are refused */
	memset(pat, 'H', sizeof(pat) - 1);
	pat[sizeof(pat) - 1] = '\0';
	ck_assert_int_eq(fmt_check_pattern(pat, why, sizeof(why)), -1);

	/*
	 * 60 optional one-or-two-digit days against 40 digits and a stray
	 * character: the ways to split the digits grow exponentially. The
	 * work budget answers a plain "no" well inside Check's timeout.
	 */
	memset(pat, 0, sizeof(pat));
	for (i = 0; i < 60; i++)
		memcpy(pat + 3 * i, "[d]", 3);
	pat[180] = '!';
	ck_assert_int_eq(fmt_check_pattern(pat, why, sizeof(why)), 0);
	memset(val, 0, sizeof(val));
	memset(val, '1', 40);
	val[40] = '?';
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, val), 0);
	val[40] = '!';
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, val), 1);

	/* the widest pad a pattern can hold */
	memset(pat, 0, sizeof(pat));
	memset(pat, 'p', 255);
	pat[255] = 'd';
	ck_assert_int_eq(fmt_check_pattern(pat, why, sizeof(why)), 0);
	memset(val, 0, sizeof(val));
	memset(val, ' ', 254);
	val[254] = '5';
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, val), 1);
	val[254] = ' ';
	ck_assert_int_eq(fmt_match_datetime(M_DATE, pat, val), 0);

	/* overlong values never match */
	memset(val, '1', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	ck_assert_int_eq(fmt_match_datetime(M_DATE, "y", val), 0);
}
END_TEST

START_TEST(test_semver)
{
	static const char *const good[] = {
		"0.0.0",
		"1.0.0",
		"1.2.3",
		"10.20.30",
		"1.0.0-alpha",
		"1.0.0-alpha.1",
		"1.0.0-alpha.1+build.5",
		"1.0.0-0.3.7",
		"1.0.0-x.7.z.92",
		"1.0.0-x-y-z.--",
		"1.0.0+20130313144700",
		"1.0.0-beta+exp.sha.5114f85",
		"1.0.0+21AF26D3----117B344092BD",
		"1.0.0+001",
	};
	static const char *const bad[] = {
		"",
		"1",
		"1.0",
		"01.0.0",
		"1.01.0",
		"1.0.01",
		"1.0.0-",
		"1.0.0+",
		"1.0.0-01",
		"1.0.0-alpha..1",
		"1.0.0-alpha.",
		"1.0.0+build+x",
		"1.0.0-al_pha",
		"v1.0.0",
		"1.0.0 ",
		" 1.0.0",
		"1.0.0.0",
		"-1.0.0",
		"1.0.0-alpha_beta",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(fmt_is_semver(good[i]) == 1, "\"%s\"", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(fmt_is_semver(bad[i]) == 0, "\"%s\"", bad[i]);
	ck_assert_int_eq(fmt_is_semver(NULL), 0);
}
END_TEST

static const unsigned char png[] = { 0x89, 'P',	 'N', 'G', '\r', '\n',
				     0x1a, '\n', 0,   0,   0,	 13,
				     'I',  'H',	 'D', 'R' };
static const unsigned char jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16 };
static const unsigned char binary[] = { 0x00, 0x01, 0x02, 0xfe, 0xff };

#define SNIFF_STR(s) fmt_sniff(s, strlen(s))

START_TEST(test_sniff)
{
	static const char latin1[] = "caf\xe9";
	static const char overlong[] = "\xc0\xaf";

	ck_assert_str_eq(fmt_sniff(png, sizeof(png)), "image/png");
	ck_assert_str_eq(fmt_sniff(jpeg, sizeof(jpeg)), "image/jpeg");
	ck_assert_str_eq(SNIFF_STR("%PDF-1.7\n%\xe2\xe3\xcf\xd3"),
			 "application/pdf");
	ck_assert_str_eq(SNIFF_STR("GIF89a\x01\x00"), "image/gif");
	ck_assert_str_eq(fmt_sniff("PK\x03\x04\x14\x00", 6), "application/zip");
	ck_assert_str_eq(fmt_sniff("\x1f\x8b\x08\x00", 4), "application/gzip");
	ck_assert_str_eq(fmt_sniff("RIFF\x10\x00\x00\x00WEBPVP8 ", 16),
			 "image/webp");
	ck_assert_str_eq(SNIFF_STR("{\"a\": [1, 2, {\"b\": null}]}"),
			 "application/json");
	ck_assert_str_eq(SNIFF_STR("\n  [1, 2]\n"), "application/json");
	ck_assert_str_eq(SNIFF_STR("{\"a\": 1} trailing"), "text/plain");
	ck_assert_str_eq(SNIFF_STR("{not json}"), "text/plain");
	ck_assert_str_eq(SNIFF_STR("<?xml version=\"1.0\"?><a/>"),
			 "application/xml");
	ck_assert_str_eq(SNIFF_STR("  <order id=\"1\"><item/></order>"),
			 "application/xml");
	ck_assert_str_eq(SNIFF_STR("<!DOCTYPE html><html></html>"),
			 "text/html");
	ck_assert_str_eq(SNIFF_STR("<HTML lang=\"en\">"), "text/html");
	ck_assert_str_eq(
		SNIFF_STR("hello, world\r\n\tcaf\xc3\xa9 \xe2\x82\xac"),
		"text/plain");
	ck_assert_str_eq(SNIFF_STR("BMW 3 series"), "text/plain");
	ck_assert_str_eq(SNIFF_STR("1 < 2"), "text/plain");
	ck_assert_str_eq(SNIFF_STR(latin1), "application/octet-stream");
	ck_assert_str_eq(SNIFF_STR(overlong), "application/octet-stream");
	ck_assert_str_eq(SNIFF_STR("bell\a"), "application/octet-stream");
	ck_assert_str_eq(fmt_sniff(binary, sizeof(binary)),
			 "application/octet-stream");
	ck_assert_str_eq(fmt_sniff("a\0b", 3), "application/octet-stream");
	ck_assert_ptr_null(fmt_sniff("", 0));
	ck_assert_ptr_null(fmt_sniff(NULL, 0));
}
END_TEST

#define IS(type, s) fmt_content_is(type, s, strlen(s))

START_TEST(test_content_is)
{
	ck_assert_int_eq(fmt_content_is("image/png", png, sizeof(png)), 1);
	ck_assert_int_eq(fmt_content_is("IMAGE/PNG; q=1", png, sizeof(png)), 1);
	ck_assert_int_eq(fmt_content_is("image/jpeg", png, sizeof(png)), 0);
	ck_assert_int_eq(fmt_content_is("image/jpg", jpeg, sizeof(jpeg)), 1);
	ck_assert_int_eq(fmt_content_is("text/plain", png, sizeof(png)), 0);
	ck_assert_int_eq(IS("application/pdf", "%PDF-1.4 ..."), 1);
	ck_assert_int_eq(IS("application/pdf", "PDF-1.4 ..."), 0);

	ck_assert_int_eq(IS("application/json", "{\"a\":1}"), 1);
	ck_assert_int_eq(IS("application/json; charset=utf-8", "[1,2]"), 1);
	ck_assert_int_eq(IS("application/vnd.api+json", "{\"data\":[]}"), 1);
	ck_assert_int_eq(IS("application/json", "\"just a string\""), 1);
	ck_assert_int_eq(IS("application/json", "plain words"), 0);
	ck_assert_int_eq(IS("application/json", "<a/>"), 0);

	ck_assert_int_eq(IS("application/xml", "<a><b/></a>"), 1);
	ck_assert_int_eq(IS("text/xml", "<?xml version=\"1.0\"?><a/>"), 1);
	ck_assert_int_eq(IS("application/atom+xml", "<feed/>"), 1);
	ck_assert_int_eq(IS("application/xml", "{\"a\":1}"), 0);
	ck_assert_int_eq(IS("application/xml", "not xml"), 0);

	ck_assert_int_eq(IS("text/plain", "hello"), 1);
	ck_assert_int_eq(IS("text/plain; charset=utf-8", "{\"a\":1}"), 1);
	ck_assert_int_eq(IS("text/csv", "a,b\n1,2\n"), 1);
	ck_assert_int_eq(IS("text/html", "<!doctype html><html></html>"), 1);
	ck_assert_int_eq(fmt_content_is("text/plain", binary, sizeof(binary)),
			 0);

	ck_assert_int_eq(fmt_content_is("application/octet-stream", binary,
					sizeof(binary)),
			 1);
	ck_assert_int_eq(IS("application/octet-stream", "text"), 1);
	ck_assert_int_eq(IS("application/octet-stream", ""), 0);
	ck_assert_int_eq(IS("text/plain", ""), 0);
	ck_assert_int_eq(IS("", "hello"), 0);
	ck_assert_int_eq(IS(";", "hello"), 0);
	ck_assert_int_eq(fmt_content_is(NULL, "x", 1), 0);
}
END_TEST

static Suite *formats_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_date_yyyy_mm_dd);
	tcase_add_test(tc, test_datetime_with_offset);
	tcase_add_test(tc, test_time_patterns);
	tcase_add_test(tc, test_rfc1123_and_short_years);
	tcase_add_test(tc, test_optional_sections_and_literals);
	tcase_add_test(tc, test_iso_defaults);
	tcase_add_test(tc, test_quarter);
	tcase_add_test(tc, test_era);
	tcase_add_test(tc, test_weeks);
	tcase_add_test(tc, test_localized_day_of_week);
	tcase_add_test(tc, test_standalone_month);
	tcase_add_test(tc, test_nanos_and_time_of_day);
	tcase_add_test(tc, test_zones_and_offsets);
	tcase_add_test(tc, test_day_periods);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_check_pattern);
	tcase_add_test(tc, test_hostile_patterns);
	tcase_add_test(tc, test_semver);
	tcase_add_test(tc, test_sniff);
	tcase_add_test(tc, test_content_is);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(formats_suite());
}

/*
 * calendar.c: the proleptic Gregorian calendar (calendar.h), one copy for
 * the value formats matchers check and the dates generators write: leap
 * years, month lengths, day numbers both ways, weekdays, ISO 8601 weeks,
 * and the English names of months, days, eras and quarters.
 */
#include "contracts/match/calendar.h"

int cal_is_leap(long long y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static const int month_start[12] = { 0,	  31,  59,  90,	 120, 151,
				     181, 212, 243, 273, 304, 334 };

int cal_month_days(long long y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	return len[m - 1] + (m == 2 && cal_is_leap(y));
}

int cal_day_of_year(long long y, int m, int d)
{
	return month_start[m - 1] + (m > 2 && cal_is_leap(y)) + d;
}

/* Days from 0001-01-01 to January 1st of year y (proleptic Gregorian). */
static long long days_before_year(long long y)
{
	long long p = y - 1;
	return p * 365 + p / 4 - p / 100 + p / 400;
}

long long cal_days(long long y, int m, int d)
{
	return days_before_year(y) - days_before_year(1970) +
	       cal_day_of_year(y, m, d) - 1;
}

void cal_date(long long days, long long *y, int *m, int *d)
{
	long long yy, doy;
	int mm;
	/* a close guess at the year (146097 days make 400 years), then exact */
	yy = 1970 + days * 400 / 146097;
	while (cal_days(yy, 1, 1) > days)
		yy--;
	while (cal_days(yy + 1, 1, 1) <= days)
		yy++;
	doy = days - cal_days(yy, 1, 1);
	for (mm = 12; mm > 1; mm--)
		if (month_start[mm - 1] + (mm > 2 && cal_is_leap(yy)) <= doy)
			break;
	*y = yy;
	*m = mm;
	*d = (int)(doy - month_start[mm - 1] - (mm > 2 && cal_is_leap(yy))) + 1;
}

int cal_weekday(long long days)
{
	return (int)(((days % 7) + 7 + 3) % 7) + 1; /* 1970-01-01: Thu */
}

/* ISO 8601 weeks: 53 when the year starts on a Thursday (or a leap year
 * on a Wednesday). */
static int iso_weeks(long long y)
{
	int wd = cal_weekday(cal_days(y, 1, 1));
	return wd == 4 || (wd == 3 && cal_is_leap(y)) ? 53 : 52;
}

void cal_iso_week(long long y, int yday, int wday, long long *wyear, int *week)
{
	int w = (yday - wday + 10) / 7;
	*wyear = y;
	if (w < 1) {
		*wyear = y - 1;
		w = iso_weeks(*wyear);
	} else if (w > iso_weeks(y)) {
		*wyear = y + 1;
		w = 1;
	}
	*week = w;
}

const char *const cal_month_names[12] = {
	"January", "February", "March",	    "April",   "May",	   "June",
	"July",	   "August",   "September", "October", "November", "December",
};

const char *const cal_day_names[7] = {
	"Monday", "Tuesday",  "Wednesday", "Thursday",
	"Friday", "Saturday", "Sunday",
};

const char *const cal_era_names[3][2] = {
	{ "BC", "AD" },
	{ "Before Christ", "Anno Domini" },
	{ "B", "A" },
};

const char *const cal_quarter_names[2][4] = {
	{ "Q1", "Q2", "Q3", "Q4" },
	{ "1st quarter", "2nd quarter", "3rd quarter", "4th quarter" },
};

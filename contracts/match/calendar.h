/*
 * The proleptic Gregorian calendar in English, shared by the value formats
 * that matchers check (value_formats.c) and the dates generators write
 * (gen/generate.c), so that both count leap years, weekdays and ISO weeks
 * alike. Days are counted from 1970-01-01 (day 0); months run 1-12,
 * weekdays 1 (Monday) to 7 (Sunday).
 */
#ifndef ACCORD_CONTRACTS_MATCH_CALENDAR_H
#define ACCORD_CONTRACTS_MATCH_CALENDAR_H

/* The modified Julian day of 1970-01-01 (day 0 is 1858-11-17). */
#define CAL_MJD_1970 40587

int cal_is_leap(long long y);
/* The length of month m (1-12) of year y. */
int cal_month_days(long long y, int m);
/* Day of the year (1-based) of a valid date. */
int cal_day_of_year(long long y, int m, int d);
/* The day number of a valid date (0 = 1970-01-01, negative before). */
long long cal_days(long long y, int m, int d);
/* The date of day number `days`. */
void cal_date(long long days, long long *y, int *m, int *d);
/* The day of the week of day number `days`. */
int cal_weekday(long long days);
/*
 * The ISO 8601 week (1-53) and week-based year of the date with day of
 * the year `yday` and weekday `wday` in year y.
 */
void cal_iso_week(long long y, int yday, int wday, long long *wyear, int *week);

/* English names, as Java's formatters print and parse them. */
extern const char *const cal_month_names[12]; /* "January", ... */
extern const char *const cal_day_names[7];    /* "Monday", ... */
/* [short, full, narrow][BC, AD]: "BC", "Anno Domini", "A", ... */
extern const char *const cal_era_names[3][2];
/* [QQQ, QQQQ][quarter - 1]: "Q1", "1st quarter", ... */
extern const char *const cal_quarter_names[2][4];

#endif

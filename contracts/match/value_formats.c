/*
 * value_formats.c: the value formats that matchers check beyond plain types.
 *
 * Dates and times are described by Java DateTimeFormatter / SimpleDateFormat
 * patterns, because that is what Pact contracts carry. Every pattern letter
 * of DateTimeFormatter is understood, with English names and texts. A
 * pattern is compiled into a short array of tokens (literal bytes, fields,
 * and the brackets of optional sections) and a value is matched against it
 * by a backtracking walk: fields of variable width and optional sections try
 * each choice in turn. Both the pattern length and the total work are capped,
 * so a hostile contract or value costs a bounded amount of time and stack.
 * Field values are collected on the way and checked against each other at
 * the end (day within the month, day of week against the date, quarter
 * against the month, hour against AM/PM and the day period, and so on).
 * What depends on the locale's week rules (week numbers, numeric days of the
 * week) is only checked where every locale agrees.
 *
 * The file also checks Semantic Versioning strings and guesses media types
 * from content (magic bytes for binary formats, structure for JSON and XML).
 * Nothing here allocates except cJSON while checking a JSON body.
 */
#include "contracts/match/calendar.h"
#include "contracts/match/internal.h"

#include <stdio.h>
#include <string.h>

#define PAT_MAX_LEN 256	       /* characters in a pattern, hence tokens too */
#define PAT_MAX_DEPTH 16       /* nesting of optional sections */
#define VALUE_MAX_LEN 256      /* longer values never match a date pattern */
#define MATCH_MAX_STEPS 20000u /* backtracking budget per value */
#define MAX_CANDS 16	       /* ways one field can match at one position */

/* ---- compiling patterns ---- */

enum tok_kind { TK_LIT, TK_FIELD, TK_OPEN, TK_CLOSE };

struct tok {
	unsigned char kind;
	unsigned char count; /* TK_FIELD: how many times the letter repeats */
	unsigned char pad;   /* TK_FIELD: width padded to with spaces, or 0 */
	char ch;	     /* TK_LIT: the byte; TK_FIELD: the letter */
	unsigned short end;  /* TK_OPEN: index of the matching TK_CLOSE */
};

/* Each pattern character yields at most one token, so the array is enough. */
struct pattern {
	struct tok t[PAT_MAX_LEN];
	size_t n;
};

#define RUN(n) (1u << (n))

struct letter {
	char ch;
	unsigned char max;  /* most repetitions accepted */
	unsigned char only; /* if not 0, RUN(n) for each run length accepted */
	const char *runs;   /* `only` in words, for the error message */
};

/*
 * Pattern letters accord understands, with their longest accepted run, as
 * DateTimeFormatter takes them. Numbers are capped at the widest value the
 * field can hold; names have at most 4 letters (no narrow forms) where the
 * five-letter form is a single ambiguous letter.
 */
/* clang-format off */
static const struct letter letters[] = {
	{ 'G', 5, 0, NULL },	/* era: AD, Anno Domini, A */
	{ 'u', 9, 0, NULL },	/* proleptic year */
	{ 'y', 9, 0, NULL },	/* year of era */
	{ 'Y', 9, 0, NULL },	/* week-based year */
	{ 'D', 3, 0, NULL },	/* day of year */
	{ 'M', 4, 0, NULL },	/* month: 5, 05, May, May */
	{ 'L', 4, 0, NULL },	/* stand-alone month, the same */
	{ 'd', 2, 0, NULL },	/* day of month */
	{ 'g', 9, 0, NULL },	/* modified Julian day */
	{ 'Q', 5, 0, NULL },	/* quarter: 2, 02, Q2, 2nd quarter, 2 */
	{ 'q', 5, 0, NULL },	/* stand-alone quarter, the same */
	{ 'w', 2, 0, NULL },	/* week of week-based year */
	{ 'W', 1, 0, NULL },	/* week of month */
	{ 'E', 4, 0, NULL },	/* day of week: Wed, Wednesday */
	{ 'e', 4, 0, NULL },	/* localized day of week: 3, 03, Wed */
	{ 'c', 4, RUN(1) | RUN(3) | RUN(4), "1, 3 or 4 times" },
	{ 'F', 1, 0, NULL },	/* aligned week of month */
	{ 'a', 2, 0, NULL },	/* AM/PM */
	{ 'B', 5, RUN(1) | RUN(4) | RUN(5), "1, 4 or 5 times" },
	{ 'h', 2, 0, NULL },	/* clock hour of AM/PM, 1-12 */
	{ 'K', 2, 0, NULL },	/* hour of AM/PM, 0-11 */
	{ 'k', 2, 0, NULL },	/* clock hour of day, 1-24 */
	{ 'H', 2, 0, NULL },	/* hour of day, 0-23 */
	{ 'm', 2, 0, NULL },
	{ 's', 2, 0, NULL },
	{ 'S', 9, 0, NULL },	/* fraction of second */
	{ 'A', 9, 0, NULL },	/* milli of day */
	{ 'n', 9, 0, NULL },	/* nano of second */
	{ 'N', 14, 0, NULL },	/* nano of day */
	{ 'V', 2, RUN(2), "exactly twice" },
	{ 'v', 4, RUN(1) | RUN(4), "1 or 4 times" },
	{ 'z', 4, 0, NULL },	/* zone name: PST, Pacific Standard Time */
	{ 'O', 4, RUN(1) | RUN(4), "1 or 4 times" },
	{ 'X', 5, 0, NULL },
	{ 'x', 5, 0, NULL },
	{ 'Z', 5, 0, NULL },
};
/* clang-format on */

/*
 * Letters only the built-in ISO 8601 defaults use, so that those defaults
 * can be written as patterns too: 'f' is a fraction of 1 to 9 digits, 'o' an
 * offset (Z, +hh:mm or +hhmm), '#' the date/time separator ('T' or space).
 */
static const struct letter iso_letters[] = {
	{ 'f', 1, 0, NULL },
	{ 'o', 1, 0, NULL },
	{ '#', 1, 0, NULL },
};

static const struct letter *find_letter(const struct letter *tab, size_t n,
					char ch)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (tab[i].ch == ch)
			return &tab[i];
	return NULL;
}

/* Writes a reason into `why` (if there is room) and returns -1. */
static int fail(char *why, size_t whylen, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void push(struct pattern *pat, enum tok_kind kind, char ch,
		 unsigned char count)
{
	struct tok *t = &pat->t[pat->n++];
	t->kind = (unsigned char)kind;
	t->ch = ch;
	t->count = count;
	t->pad = 0;
	t->end = 0;
}

/*
 * Compiles a quoted literal starting at s[*i] (a quote). "''" is a literal
 * quote, inside or outside a quoted run. Returns 0 or -1 when unterminated.
 */
static int compile_quoted(struct pattern *pat, const char *s, size_t *i,
			  char *why, size_t whylen)
{
	size_t j = *i + 1;
	if (s[j] == '\'') {
		push(pat, TK_LIT, '\'', 1);
		*i = j + 1;
		return 0;
	}
	for (;;) {
		if (!s[j])
			return fail(why, whylen, "unterminated quoted literal");
		if (s[j] == '\'' && s[j + 1] == '\'') {
			push(pat, TK_LIT, '\'', 1);
			j += 2;
		} else if (s[j] == '\'') {
			*i = j + 1;
			return 0;
		} else {
			push(pat, TK_LIT, s[j++], 1);
		}
	}
}

/* Compiles a run of one pattern letter starting at s[*i]. */
static int compile_field(struct pattern *pat, const char *s, size_t *i, int iso,
			 char *why, size_t whylen)
{
	char c = s[*i];
	const struct letter *l;
	size_t n = 0;

	l = find_letter(letters, sizeof(letters) / sizeof(letters[0]), c);
	if (!l && iso)
		l = find_letter(iso_letters,
				sizeof(iso_letters) / sizeof(iso_letters[0]),
				c);
	if (!l)
		return fail(why, whylen, "unknown pattern letter '%c'", c);
	while (s[*i + n] == c)
		n++;
	/* n may be up to PAT_MAX_LEN: test the width before shifting */
	if (l->only && (n >= 8 || !((l->only >> n) & 1u)))
		return fail(why, whylen, "pattern letter '%c' must appear %s",
			    c, l->runs);
	if (n > l->max)
		return fail(why, whylen,
			    "too many pattern letters '%c' (at most %u)", c,
			    (unsigned)l->max);
	push(pat, TK_FIELD, c, (unsigned char)n);
	*i += n;
	return 0;
}

/*
 * Compiles "p" repeated n times and the field after it, which is padded
 * with spaces to n characters (DateTimeFormatterBuilder.padNext), so the
 * p's must be followed by a pattern letter. n fits the token: the pattern
 * has at most PAT_MAX_LEN characters and one of them is that letter.
 */
static int compile_padded(struct pattern *pat, const char *s, size_t *i,
			  int iso, char *why, size_t whylen)
{
	size_t n = 0;
	while (s[*i + n] == 'p')
		n++;
	if (!is_ascii_letter(s[*i + n]))
		return fail(
			why, whylen,
			"pad letter 'p' must be followed by a pattern letter");
	*i += n;
	if (compile_field(pat, s, i, iso, why, whylen))
		return -1;
	pat->t[pat->n - 1].pad = (unsigned char)n;
	return 0;
}

/*
 * Compiles `s` into `pat`. `iso` enables the private letters of the ISO
 * defaults. Returns 0, or -1 with a reason in `why`.
 */
static int compile(struct pattern *pat, const char *s, int iso, char *why,
		   size_t whylen)
{
	size_t open[PAT_MAX_DEPTH];
	size_t depth = 0, i = 0;

	pat->n = 0;
	if (!s || !*s)
		return fail(why, whylen, "empty pattern");
	if (strnlen(s, PAT_MAX_LEN + 1) > PAT_MAX_LEN)
		return fail(why, whylen, "pattern longer than %d characters",
			    PAT_MAX_LEN);
	while (s[i]) {
		char c = s[i];
		int r = 0;
		if (c == '\'') {
			r = compile_quoted(pat, s, &i, why, whylen);
		} else if (c == '[') {
			if (depth == PAT_MAX_DEPTH)
				return fail(
					why, whylen,
					"optional sections nested deeper than %d",
					PAT_MAX_DEPTH);
			open[depth++] = pat->n;
			push(pat, TK_OPEN, c, 1);
			i++;
		} else if (c == ']') {
			if (!depth)
				return fail(why, whylen,
					    "']' without a matching '['");
			pat->t[open[--depth]].end = (unsigned short)pat->n;
			push(pat, TK_CLOSE, c, 1);
			i++;
		} else if (c == 'p') {
			r = compile_padded(pat, s, &i, iso, why, whylen);
		} else if (is_ascii_letter(c) || (iso && c == '#')) {
			r = compile_field(pat, s, &i, iso, why, whylen);
		} else if (c == '#' || c == '{' || c == '}') {
			return fail(why, whylen,
				    "reserved pattern character '%c'", c);
		} else {
			push(pat, TK_LIT, c, 1);
			i++;
		}
		if (r)
			return r;
	}
	if (depth)
		return fail(why, whylen, "unclosed optional section '['");
	return 0;
}

int fmt_check_pattern(const char *pattern, char *why, size_t whylen)
{
	struct pattern pat;
	if (why && whylen)
		why[0] = '\0';
	return compile(&pat, pattern, 0, why, whylen);
}

/* ---- field values ---- */

enum slot {
	F_ERA,	   /* G: ERA_BC or ERA_AD */
	F_YEAR,	   /* y: year of era */
	F_UYEAR,   /* u: proleptic year, 0 = 1 BC */
	F_WYEAR,   /* Y: week-based year */
	F_QUARTER, /* Q, q: 1-4 */
	F_MONTH,   /* M, L */
	F_WEEK,	   /* w: week of week-based year */
	F_DAY,
	F_DOY,
	F_ALIGNED, /* F */
	F_WDAY,	   /* 1 = Monday .. 7 = Sunday */
	F_MJD,	   /* g: modified Julian day */
	F_HOUR,	   /* H: 0-23 */
	F_HOUR12,  /* h: 1-12 */
	F_HOUR24,  /* k: 1-24 */
	F_HOUR11,  /* K: 0-11 */
	F_PM,
	F_PERIOD, /* B: one of enum period */
	F_MINUTE,
	F_SECOND,
	F_NANO,	    /* S, n: nano of second */
	F_MILLIDAY, /* A */
	F_NANODAY,  /* N */
	F_COUNT,
	F_NONE = -1,
};

enum era { ERA_BC = 1, ERA_AD = 2 };

enum period {
	P_MIDNIGHT = 1,
	P_NOON,
	P_MORNING,
	P_AFTERNOON,
	P_EVENING,
	P_NIGHT
};

#define NANOS_PER_SECOND 1000000000LL
#define NANOS_PER_MINUTE (60 * NANOS_PER_SECOND)
#define NANOS_PER_HOUR (60 * NANOS_PER_MINUTE)

/* What a value has said so far; `set` has bit (1 << slot) per field seen. */
struct fields {
	long long v[F_COUNT];
	unsigned long set;
	int two_digit_year;  /* y or u came from "yy": the century is a guess */
	int two_digit_wyear; /* Y came from "YY" */
};

static int has(const struct fields *f, enum slot s)
{
	return (f->set >> s) & 1u;
}

/*
 * Records a field value. A field given twice must agree with itself
 * ("yyyy ... yyyy"), so returns 0 on a conflict and 1 otherwise.
 */
static int set_field(struct fields *f, int s, long long v)
{
	if (s == F_NONE)
		return 1;
	if (has(f, (enum slot)s))
		return f->v[s] == v;
	f->v[s] = v;
	f->set |= 1ul << s;
	return 1;
}

static int days_in_month(long long m, long long y, int known_year)
{
	if (m == 2 && !known_year)
		return 29;
	return cal_month_days(y, (int)m);
}

/*
 * The proleptic year the fields give: u as it is, y (year of era) counted
 * back from 1 BC = 0 when the era is BC. Returns 1 with *y set, 0 when no
 * year was given, or -1 when u disagrees with y or the era.
 */
static int resolve_year(const struct fields *f, long long *y)
{
	int bc = has(f, F_ERA) && f->v[F_ERA] == ERA_BC;
	long long u;

	if (has(f, F_UYEAR)) {
		u = f->v[F_UYEAR];
		if (has(f, F_ERA) && (u < 1) != bc)
			return -1;
		if (has(f, F_YEAR) && f->v[F_YEAR] != (u < 1 ? 1 - u : u))
			return -1;
		*y = u;
		return 1;
	}
	if (!has(f, F_YEAR))
		return 0;
	*y = bc ? 1 - f->v[F_YEAR] : f->v[F_YEAR];
	return 1;
}

/*
 * The week-based year (Y) and its week (w) against the date. Weeks follow
 * the locale's rules, so only what holds under all of them is checked: Y is
 * the calendar year, or the next one for a late December date in week 1,
 * or the previous one for an early January date in week 52 or 53.
 */
static int week_year_valid(const struct fields *f, int hy, long long y)
{
	int hm = has(f, F_MONTH), hd = has(f, F_DAY), hw = has(f, F_WEEK);
	long long m = f->v[F_MONTH], d = f->v[F_DAY], w = f->v[F_WEEK];
	long long diff;

	if (!hy || !has(f, F_WYEAR) || f->two_digit_year || f->two_digit_wyear)
		return 1;
	diff = f->v[F_WYEAR] - y;
	if (diff == 0)
		return !(hm && hw &&
			 ((m == 12 && w == 1) || (m == 1 && w >= 52)));
	if (diff == 1)
		return (!hm || m == 12) && (!hd || d >= 25) && (!hw || w == 1);
	if (diff == -1)
		return (!hm || m == 1) && (!hd || d <= 7) && (!hw || w >= 52);
	return 0;
}

/*
 * F is the aligned week of the month (days 1-7 are week 1) in current
 * Java, as SimpleDateFormat's day of week in month, but older java.time
 * read it as the aligned day of week in the month (days 1, 8, 15 are day 1),
 * so either reading is accepted.
 */
static int aligned_valid(long long aligned, long long d)
{
	return aligned == (d - 1) / 7 + 1 || aligned == (d - 1) % 7 + 1;
}

static int date_valid(const struct fields *f)
{
	int hy, hm = has(f, F_MONTH), hd = has(f, F_DAY);
	long long y = 0, m = f->v[F_MONTH], d = f->v[F_DAY];

	hy = resolve_year(f, &y);
	if (hy < 0)
		return 0;
	if (hm && has(f, F_QUARTER) && f->v[F_QUARTER] != (m - 1) / 3 + 1)
		return 0;
	if (hd && has(f, F_ALIGNED) && !aligned_valid(f->v[F_ALIGNED], d))
		return 0;
	if (hm && hd && d > days_in_month(m, y, hy))
		return 0;
	if (hy && has(f, F_DOY) && f->v[F_DOY] > (cal_is_leap(y) ? 366 : 365))
		return 0;
	if (!week_year_valid(f, hy, y))
		return 0;
	if (!(hy && hm && hd))
		return 1;
	if (has(f, F_DOY) && f->v[F_DOY] != cal_day_of_year(y, (int)m, (int)d))
		return 0;
	/* a two-digit year's century is a guess, so its weekday is too */
	if (f->two_digit_year || y < 1)
		return 1;
	if (has(f, F_WDAY) &&
	    f->v[F_WDAY] != cal_weekday(cal_days(y, (int)m, (int)d)))
		return 0;
	/* day 0 of the modified Julian calendar is 17 November 1858 */
	if (has(f, F_MJD) &&
	    f->v[F_MJD] != cal_days(y, (int)m, (int)d) + CAL_MJD_1970)
		return 0;
	return 1;
}

/*
 * Checks a time of day in nanoseconds (A, N) against the hour, minute and
 * second, and the fraction of the second to the precision `unit` that the
 * time of day carries. Returns 0 on a conflict.
 */
static int time_of_day_valid(struct fields *g, long long nod, long long unit)
{
	long long nos = nod % NANOS_PER_SECOND;
	if (!set_field(g, F_HOUR, nod / NANOS_PER_HOUR) ||
	    !set_field(g, F_MINUTE, nod / NANOS_PER_MINUTE % 60) ||
	    !set_field(g, F_SECOND, nod / NANOS_PER_SECOND % 60))
		return 0;
	if (unit == 1)
		return set_field(g, F_NANO, nos);
	return !has(g, F_NANO) || g->v[F_NANO] / unit == nos / unit;
}

/*
 * The day periods as Java's English rules draw them: midnight and noon
 * exactly on the hour, morning from 06:00, afternoon from 12:00, evening
 * from 18:00 and night from 21:00.
 */
static int period_has(const struct fields *g, long long h)
{
	int on_the_hour = !has(g, F_MINUTE) || g->v[F_MINUTE] == 0;
	switch (g->v[F_PERIOD]) {
	case P_MIDNIGHT:
		return h == 0 && on_the_hour;
	case P_NOON:
		return h == 12 && on_the_hour;
	case P_MORNING:
		return h >= 6 && h < 12;
	case P_AFTERNOON:
		return h >= 12 && h < 18;
	case P_EVENING:
		return h >= 18 && h < 21;
	default:
		return h >= 21 || h < 6;
	}
}

/* Can the hour of day be h, going by every field that tells the hour? */
static int hour_fits(const struct fields *g, long long h)
{
	return (!has(g, F_HOUR) || g->v[F_HOUR] == h) &&
	       (!has(g, F_PM) || (h >= 12) == (g->v[F_PM] == 1)) &&
	       (!has(g, F_HOUR12) || g->v[F_HOUR12] % 12 == h % 12) &&
	       (!has(g, F_HOUR11) || g->v[F_HOUR11] == h % 12) &&
	       (!has(g, F_HOUR24) || g->v[F_HOUR24] % 24 == h) &&
	       (!has(g, F_PERIOD) || period_has(g, h));
}

static int time_valid(const struct fields *f)
{
	struct fields g = *f;
	long long h;

	if (has(&g, F_NANODAY) && !time_of_day_valid(&g, g.v[F_NANODAY], 1))
		return 0;
	if (has(&g, F_MILLIDAY) &&
	    !time_of_day_valid(&g, g.v[F_MILLIDAY] * 1000000, 1000000))
		return 0;
	for (h = 0; h < 24; h++)
		if (hour_fits(&g, h))
			return 1;
	return 0;
}

/* ---- candidates: the ways one field can match at one position ---- */

struct cand {
	size_t len;
	long long val;
};

struct cands {
	struct cand c[MAX_CANDS];
	int n;
};

static void add_cand(struct cands *cs, size_t len, long long val)
{
	if (len && cs->n < MAX_CANDS) {
		cs->c[cs->n].len = len;
		cs->c[cs->n].val = val;
		cs->n++;
	}
}

/*
 * Digit runs of lo..hi digits whose value is in [min, max], longest first
 * (a field of variable width followed by another number backtracks).
 * hi is at most 14, so the value fits.
 */
static void num_cands(const char *s, size_t n, size_t lo, size_t hi,
		      long long min, long long max, struct cands *cs)
{
	size_t run = 0, w, k;
	while (run < n && run < hi && is_digit(s[run]))
		run++;
	for (w = run; w >= lo && w > 0; w--) {
		long long v = 0;
		for (k = 0; k < w; k++)
			v = v * 10 + (s[k] - '0');
		if (v >= min && v <= max)
			add_cand(cs, w, v);
	}
}

static size_t at_least(size_t count, size_t digits)
{
	return count > digits ? count : digits;
}

/* Widths and range of a numeric field; returns 0 if not numeric. */
static int numeric_shape(char ch, size_t count, size_t *lo, size_t *hi,
			 long long *min, long long *max)
{
	*lo = count;
	*hi = count == 1 ? 2 : count;
	*min = 0;
	switch (ch) {
	case 'y':
	case 'u':
	case 'Y':
		*hi = count == 1 ? 9 : count;
		*min = ch == 'y' && count != 2 ? 1 : 0;
		*max = count == 2 ? 99 : 999999999;
		return 1;
	case 'M':
	case 'L':
		*min = 1;
		*max = 12;
		return count <= 2;
	case 'Q':
	case 'q':
		if (count == 5) /* the narrow form is the digit */
			*lo = *hi = 1;
		*min = 1;
		*max = 4;
		return count <= 2 || count == 5;
	case 'w':
		*min = 1;
		*max = 53;
		return 1;
	case 'W':
		/* 0-5 where week 1 needs 4 days, 1-6 where it needs 1 */
		*hi = 1;
		*max = 6;
		return 1;
	case 'e':
	case 'c':
		*hi = count;
		*min = 1;
		*max = 7;
		return count <= 2;
	case 'F':
		*min = 1;
		*max = 7;
		return 1;
	case 'd':
		*min = 1;
		*max = 31;
		return 1;
	case 'D':
		*hi = 3;
		*min = 1;
		*max = 366;
		return 1;
	case 'g':
		*hi = 9;
		*max = 999999999;
		return 1;
	case 'H':
		*max = 23;
		return 1;
	case 'h':
	case 'k':
		*min = 1;
		*max = ch == 'h' ? 12 : 24;
		return 1;
	case 'K':
		*max = 11;
		return 1;
	case 'm':
	case 's':
		*max = 59;
		return 1;
	case 'S':
	case 'f':
		*lo = ch == 'f' ? 1 : count;
		*hi = ch == 'f' ? 9 : count;
		*max = 999999999;
		return 1;
	case 'A':
		*hi = at_least(count, 8);
		*max = 86399999;
		return 1;
	case 'n':
		*hi = 9;
		*max = 999999999;
		return 1;
	case 'N':
		*hi = 14;
		*max = 86399999999999LL;
		return 1;
	default:
		return 0;
	}
}

/*
 * Indexed by enum period - 1; the last two, narrow forms of midnight and
 * noon, only for BBBBB.
 */
static const char *const period_names[8] = {
	"midnight",
	"noon",
	"in the morning",
	"in the afternoon",
	"in the evening",
	"at night",
	"mi",
	"n",
};

/*
 * English names, case-insensitively as SimpleDateFormat parses them: the
 * first three letters when `full` is 0, the whole name otherwise. A match
 * has the value index + 1.
 */
static void name_cands(const char *s, size_t n, const char *const *names,
		       size_t nnames, int full, struct cands *cs)
{
	size_t i;
	for (i = 0; i < nnames; i++) {
		size_t len = full ? strlen(names[i]) : 3;
		if (len <= n && !str_ncasecmp(s, names[i], len))
			add_cand(cs, len, (long long)i + 1);
	}
}

static void ampm_cands(const char *s, size_t n, struct cands *cs)
{
	if (n >= 2 && (s[1] == 'M' || s[1] == 'm')) {
		if (s[0] == 'A' || s[0] == 'a')
			add_cand(cs, 2, 0);
		else if (s[0] == 'P' || s[0] == 'p')
			add_cand(cs, 2, 1);
	}
}

/* B and BBBB alike, as in English; BBBBB also "mi" and "n". */
static void period_cands(size_t count, const char *s, size_t n,
			 struct cands *cs)
{
	int k;
	name_cands(s, n, period_names, count == 5 ? 8 : 6, 1, cs);
	for (k = 0; k < cs->n; k++)
		if (cs->c[k].val > P_NIGHT)
			cs->c[k].val -= P_NIGHT;
}

/*
 * Length of a signed offset shaped like `shape` ("hh", "hhmm", "hh:mm",
 * "hhmmss", "hh:mm:ss", or with a single "h") at s, or 0. Hours go to 18
 * as in java.time.
 */
static size_t offset_len(const char *s, size_t n, const char *shape)
{
	long part[3] = { 0, 0, 0 };
	size_t i;
	if (n < 1 + strlen(shape) || (s[0] != '+' && s[0] != '-'))
		return 0;
	for (i = 0; shape[i]; i++) {
		char c = s[i + 1];
		if (shape[i] == ':') {
			if (c != ':')
				return 0;
			continue;
		}
		if (!is_digit(c))
			return 0;
		if (shape[i] == 'h')
			part[0] = part[0] * 10 + (c - '0');
		else if (shape[i] == 'm')
			part[1] = part[1] * 10 + (c - '0');
		else
			part[2] = part[2] * 10 + (c - '0');
	}
	if (part[0] > 18 || part[1] > 59 || part[2] > 59)
		return 0;
	return i + 1;
}

/* Adds a candidate for each shape in the NULL-terminated list that fits. */
static void offset_cands(const char *s, size_t n, size_t prefix,
			 const char *const *shapes, struct cands *cs)
{
	for (; *shapes; shapes++) {
		size_t len = offset_len(s + prefix, n - prefix, *shapes);
		if (len)
			add_cand(cs, prefix + len, -1);
	}
}

static const char *const sh_hh_mm[] = { "hh:mm", NULL };
static const char *const sh_hhmm[] = { "hhmm", NULL };
static const char *const sh_any[] = { "hh:mm", "hhmm", "hh", NULL };

/* X and x; X also takes "Z" for a zero offset. */
static void iso_offset_cands(char ch, size_t count, const char *s, size_t n,
			     struct cands *cs)
{
	static const char *const x1[] = { "hhmm", "hh", NULL };
	static const char *const x4[] = { "hhmmss", "hhmm", NULL };
	static const char *const x5[] = { "hh:mm:ss", "hh:mm", NULL };
	static const char *const *const shapes[5] = { x1, sh_hhmm, sh_hh_mm, x4,
						      x5 };
	if (ch == 'X' && n >= 1 && s[0] == 'Z')
		add_cand(cs, 1, -1);
	offset_cands(s, n, 0, shapes[count - 1], cs);
}

/* Z: "+hhmm"; ZZZZ: "GMT" or "GMT+hh:mm"; ZZZZZ: "Z" or "+hh:mm[:ss]". */
static void rfc_offset_cands(size_t count, const char *s, size_t n,
			     struct cands *cs)
{
	static const char *const z5[] = { "hh:mm:ss", "hh:mm", NULL };
	if (count <= 3) {
		offset_cands(s, n, 0, sh_hhmm, cs);
	} else if (count == 4) {
		if (n >= 3 && !strncmp(s, "GMT", 3)) {
			offset_cands(s, n, 3, sh_hh_mm, cs);
			add_cand(cs, 3, -1);
		}
	} else {
		if (n >= 1 && s[0] == 'Z')
			add_cand(cs, 1, -1);
		offset_cands(s, n, 0, z5, cs);
	}
}

/*
 * O: "GMT", or "GMT" and an offset of one or two hour digits with optional
 * minutes and seconds ("GMT+8", "GMT-08:30"); OOOO: "GMT", or "GMT" and
 * "+hh:mm" with optional seconds.
 */
static void localized_offset_cands(size_t count, const char *s, size_t n,
				   struct cands *cs)
{
	static const char *const o1[] = { "hh:mm:ss", "hh:mm", "hh", "h:mm:ss",
					  "h:mm",     "h",     NULL };
	static const char *const o4[] = { "hh:mm:ss", "hh:mm", NULL };
	if (n < 3 || strncmp(s, "GMT", 3))
		return;
	offset_cands(s, n, 3, count == 4 ? o4 : o1, cs);
	add_cand(cs, 3, -1);
}

static int is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* A word of a long zone name ("Pacific"): a capital then small letters. */
static size_t word_len(const char *s, size_t n)
{
	size_t i = 1;
	if (!n || !is_upper(s[0]))
		return 0;
	while (i < n && is_lower(s[i]))
		i++;
	return i > 1 ? i : 0;
}

/*
 * z: an abbreviation ("UTC", "PST", "CEST"), "GMT"/"UTC" with an offset
 * ("GMT+02:00"), or a bare offset; zzzz also a long name of two or more
 * words ("Pacific Standard Time"), any prefix of the words tried. The
 * generic names of v and vvvv ("PT", "Pacific Time") have the same shapes.
 */
static void zone_name_cands(size_t count, const char *s, size_t n,
			    struct cands *cs)
{
	size_t run = 0, ends[8], nends = 0, pos = 0, w;

	while (run < n && is_upper(s[run]))
		run++;
	if ((run >= 2 && run <= 5) || (run == 1 && s[0] == 'Z'))
		add_cand(cs, run, -1);
	if ((run == 3 && (!strncmp(s, "GMT", 3) || !strncmp(s, "UTC", 3))) ||
	    (run == 2 && !strncmp(s, "UT", 2)))
		offset_cands(s, n, run, sh_any, cs);
	offset_cands(s, n, 0, sh_any, cs);
	if (count < 4)
		return;
	while (nends < 8 && (w = word_len(s + pos, n - pos)) > 0) {
		pos += w;
		ends[nends++] = pos;
		if (pos >= n || s[pos] != ' ')
			break;
		pos++;
	}
	while (nends >= 2)
		add_cand(cs, ends[--nends], -1);
}

static int is_zone_id_char(char c)
{
	return is_ascii_letter(c) || is_digit(c) || c == '_' || c == '-' ||
	       c == '+';
}

/* A region id: "Europe/London", "America/Argentina/Buenos_Aires". */
static void region_cands(const char *s, size_t n, struct cands *cs)
{
	size_t i = 0, slashes = 0;

	if (!n || !is_upper(s[0]))
		return;
	while (i < n &&
	       (is_zone_id_char(s[i]) ||
		(s[i] == '/' && i + 1 < n && is_ascii_letter(s[i + 1])))) {
		slashes += s[i] == '/';
		i++;
	}
	if (slashes >= 1 && slashes <= 2)
		add_cand(cs, i, -1);
}

/*
 * VV: a region id, "Z", "UTC"/"GMT"/"UT" with an optional offset, or a
 * bare offset.
 */
static void zone_id_cands(const char *s, size_t n, struct cands *cs)
{
	static const char *const fixed[] = { "UTC", "GMT", "UT", "Z" };
	size_t k;

	region_cands(s, n, cs);
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		size_t len = strlen(fixed[k]);
		if (len <= n && !strncmp(s, fixed[k], len)) {
			if (k < 3)
				offset_cands(s, n, len, sh_any, cs);
			add_cand(cs, len, -1);
		}
	}
	offset_cands(s, n, 0, sh_any, cs);
}

/* The slot a field fills, or F_NONE. */
static int slot_of(const struct tok *t)
{
	switch (t->ch) {
	case 'G':
		return F_ERA;
	case 'y':
		return F_YEAR;
	case 'u':
		return F_UYEAR;
	case 'Y':
		return F_WYEAR;
	case 'Q':
	case 'q':
		return F_QUARTER;
	case 'M':
	case 'L':
		return F_MONTH;
	case 'w':
		return F_WEEK;
	case 'd':
		return F_DAY;
	case 'D':
		return F_DOY;
	case 'F':
		return F_ALIGNED;
	case 'E':
		return F_WDAY;
	case 'e':
	case 'c':
		/* numbers count from the locale's first day of the week */
		return t->count >= 3 ? F_WDAY : F_NONE;
	case 'g':
		return F_MJD;
	case 'H':
		return F_HOUR;
	case 'h':
		return F_HOUR12;
	case 'k':
		return F_HOUR24;
	case 'K':
		return F_HOUR11;
	case 'a':
		return F_PM;
	case 'B':
		return F_PERIOD;
	case 'm':
		return F_MINUTE;
	case 's':
		return F_SECOND;
	case 'S':
	case 'f':
	case 'n':
		return F_NANO;
	case 'A':
		return F_MILLIDAY;
	case 'N':
		return F_NANODAY;
	default:
		return F_NONE;
	}
}

/* Fills `cs` with the ways field `t` can match the start of s[0..n). */
static void field_cands(const struct tok *t, const char *s, size_t n,
			struct cands *cs)
{
	size_t lo, hi;
	long long min, max;
	int k;

	cs->n = 0;
	if (numeric_shape(t->ch, t->count, &lo, &hi, &min, &max)) {
		if (t->ch != 'g' || !n || s[0] != '-') {
			num_cands(s, n, lo, hi, min, max, cs);
			return;
		}
		/* a modified Julian day before 1858 is negative */
		num_cands(s + 1, n - 1, lo, hi, 1, max, cs);
		for (k = 0; k < cs->n; k++) {
			cs->c[k].len++;
			cs->c[k].val = -cs->c[k].val;
		}
		return;
	}
	switch (t->ch) {
	case 'M':
	case 'L':
		name_cands(s, n, cal_month_names, 12, t->count == 4, cs);
		break;
	case 'E':
	case 'e':
	case 'c':
		name_cands(s, n, cal_day_names, 7, t->count == 4, cs);
		break;
	case 'G':
		/* G to GGG, GGGG, GGGGG; a match is ERA_BC or ERA_AD */
		name_cands(s, n,
			   cal_era_names[t->count <= 3 ? 0 : t->count - 3], 2,
			   1, cs);
		break;
	case 'Q':
	case 'q':
		name_cands(s, n, cal_quarter_names[t->count - 3], 4, 1, cs);
		break;
	case 'a':
		ampm_cands(s, n, cs);
		break;
	case 'B':
		period_cands(t->count, s, n, cs);
		break;
	case 'X':
	case 'x':
		iso_offset_cands(t->ch, t->count, s, n, cs);
		break;
	case 'Z':
		rfc_offset_cands(t->count, s, n, cs);
		break;
	case 'O':
		localized_offset_cands(t->count, s, n, cs);
		break;
	case 'z':
		zone_name_cands(t->count, s, n, cs);
		break;
	case 'v':
		/* without a generic name Java writes the region id */
		region_cands(s, n, cs);
		zone_name_cands(t->count, s, n, cs);
		break;
	case 'V':
		zone_id_cands(s, n, cs);
		break;
	case 'o':
		if (n && (s[0] == 'Z' || s[0] == 'z'))
			add_cand(cs, 1, -1);
		offset_cands(s, n, 0, sh_any, cs);
		break;
	case '#':
		if (n && (s[0] == 'T' || s[0] == 't' || s[0] == ' '))
			add_cand(cs, 1, -1);
		break;
	}
}

/* The value field `t` records for candidate `c`, noting guessed years. */
static long long field_value(const struct tok *t, const struct cand *c,
			     struct fields *g)
{
	long long v = c->val;
	size_t k;

	if (t->count == 2 && (t->ch == 'y' || t->ch == 'u' || t->ch == 'Y')) {
		if (t->ch == 'Y')
			g->two_digit_wyear = 1;
		else
			g->two_digit_year = 1;
		return v + 2000;
	}
	if (t->ch == 'S' || t->ch == 'f') /* a fraction: scale to nanos */
		for (k = c->len; k < 9; k++)
			v *= 10;
	return v;
}

/* ---- matching ---- */

struct walk {
	const struct pattern *pat;
	const char *s;
	size_t len;
	unsigned steps; /* budget spent; past MATCH_MAX_STEPS all paths fail */
};

static int walk(struct walk *w, size_t i, size_t pos, const struct fields *f);

/*
 * Tries each way field token i can match at pos, then the rest. A padded
 * field takes exactly its pad width: leading spaces, then the field, as
 * java.time parses strictly.
 */
static int walk_field(struct walk *w, size_t i, size_t pos,
		      const struct fields *f)
{
	const struct tok *t = &w->pat->t[i];
	size_t start = pos, avail = w->len - pos;
	struct cands cs;
	int k, slot = slot_of(t);

	if (t->pad) {
		size_t end = pos + t->pad;
		if (t->pad > avail)
			return 0;
		while (start < end && w->s[start] == ' ')
			start++;
		avail = end - start;
	}
	field_cands(t, w->s + start, avail, &cs);
	for (k = 0; k < cs.n; k++) {
		struct fields g = *f;
		long long v;
		if (t->pad && cs.c[k].len != avail)
			continue;
		v = field_value(t, &cs.c[k], &g);
		if (set_field(&g, slot, v) &&
		    walk(w, i + 1, start + cs.c[k].len, &g))
			return 1;
	}
	return 0;
}

/*
 * Matches tokens i.. against s[pos..]. An optional section is first
 * entered, then skipped. Recursion is bounded by the token count.
 */
static int walk(struct walk *w, size_t i, size_t pos, const struct fields *f)
{
	const struct tok *t;

	for (; i < w->pat->n; i++) {
		if (++w->steps > MATCH_MAX_STEPS)
			return 0;
		t = &w->pat->t[i];
		if (t->kind == TK_CLOSE)
			continue;
		if (t->kind == TK_OPEN)
			return walk(w, i + 1, pos, f) ||
			       walk(w, (size_t)t->end + 1, pos, f);
		if (t->kind == TK_FIELD)
			return walk_field(w, i, pos, f);
		if (pos >= w->len || w->s[pos] != t->ch)
			return 0;
		pos++;
	}
	return pos == w->len && date_valid(f) && time_valid(f);
}

static const char *iso_default(enum matcher_type kind)
{
	switch (kind) {
	case M_DATE:
		return "yyyy-MM-dd";
	case M_TIME:
		return "HH:mm[:ss[.f]][XXX]";
	case M_DATETIME:
		return "yyyy-MM-dd#HH:mm:ss[.f][o]";
	default:
		return NULL;
	}
}

int fmt_match_datetime(enum matcher_type kind, const char *pattern,
		       const char *value)
{
	struct pattern pat;
	struct walk w;
	struct fields f;
	int iso = !pattern;

	if (iso)
		pattern = iso_default(kind);
	if (!pattern || !value)
		return 0;
	if (compile(&pat, pattern, iso, NULL, 0))
		return 0;
	w.len = strnlen(value, VALUE_MAX_LEN + 1);
	if (w.len > VALUE_MAX_LEN)
		return 0;
	w.pat = &pat;
	w.s = value;
	w.steps = 0;
	memset(&f, 0, sizeof(f));
	return walk(&w, 0, 0, &f);
}

/* ---- Semantic Versioning 2.0.0 ---- */

static int is_ident_char(char c)
{
	return is_ascii_letter(c) || is_digit(c) || c == '-';
}

/* A numeric identifier: "0" or digits without a leading zero. */
static int numeric_ident(const char *s, size_t n)
{
	size_t i;
	if (!n || (n > 1 && s[0] == '0'))
		return 0;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/*
 * Dot-separated identifiers from s: non-empty, [0-9A-Za-z-]; in a
 * pre-release an all-digit identifier must not have a leading zero.
 * Returns the end, or NULL when malformed.
 */
static const char *idents(const char *s, int prerelease)
{
	for (;;) {
		size_t n = 0;
		while (is_ident_char(s[n]))
			n++;
		if (!n)
			return NULL;
		if (prerelease && all_digits(s, n) && !numeric_ident(s, n))
			return NULL;
		s += n;
		if (*s != '.')
			return s;
		s++;
	}
}

int fmt_is_semver(const char *s)
{
	int part;
	if (!s)
		return 0;
	for (part = 0; part < 3; part++) {
		size_t n = 0;
		while (is_digit(s[n]))
			n++;
		if (!numeric_ident(s, n))
			return 0;
		s += n;
		if (part < 2 && *s++ != '.')
			return 0;
	}
	if (*s == '-')
		s = idents(s + 1, 1);
	if (s && *s == '+')
		s = idents(s + 1, 0);
	return s && !*s;
}

/* ---- media types ---- */

struct magic {
	const char *bytes;
	size_t len;
	size_t offset;
	const char *type;
};

/* clang-format off */
static const struct magic magics[] = {
	{ "%PDF-", 5, 0, "application/pdf" },
	{ "\x89PNG\r\n\x1a\n", 8, 0, "image/png" },
	{ "\xff\xd8\xff", 3, 0, "image/jpeg" },
	{ "GIF87a", 6, 0, "image/gif" },
	{ "GIF89a", 6, 0, "image/gif" },
	{ "PK\x03\x04", 4, 0, "application/zip" },
	{ "PK\x05\x06", 4, 0, "application/zip" },
	{ "\x1f\x8b\x08", 3, 0, "application/gzip" },
	{ "II*\0", 4, 0, "image/tiff" },
	{ "MM\0*", 4, 0, "image/tiff" },
};
/* clang-format on */

static int has_bytes(const unsigned char *p, size_t len, size_t off,
		     const char *bytes, size_t n)
{
	return len >= off + n && !memcmp(p + off, bytes, n);
}

/* Binary formats recognised by their first bytes, or NULL. */
static const char *sniff_magic(const unsigned char *p, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (has_bytes(p, len, magics[i].offset, magics[i].bytes,
			      magics[i].len))
			return magics[i].type;
	if (has_bytes(p, len, 0, "RIFF", 4)) {
		if (has_bytes(p, len, 8, "WEBP", 4))
			return "image/webp";
		if (has_bytes(p, len, 8, "WAVE", 4))
			return "audio/wav";
	}
	/* "BM" alone is common in text; a BMP header has 4 zero bytes at 6 */
	if (len >= 26 && has_bytes(p, len, 0, "BM", 2) &&
	    has_bytes(p, len, 6, "\0\0\0\0", 4))
		return "image/bmp";
	return NULL;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t len)
{
	unsigned long cp;
	size_t n, k;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3fu);
	}
	if (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return n;
}

/* Valid UTF-8 without control characters other than tab, CR and LF. */
static int is_text(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t n = 1;
		if (p[i] >= 0x80)
			n = utf8_seq(p + i, len - i);
		else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			 p[i] != '\r')
			n = 0;
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

static int is_json_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does p[0..len) hold exactly one JSON value, give or take whitespace? */
static int parses_as_json(const unsigned char *p, size_t len)
{
	const char *end = NULL;
	const char *s = (const char *)p;
	cJSON *j = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	size_t i;

	if (!j)
		return 0;
	cJSON_Delete(j);
	if (!end || end < s || end > s + len)
		return 0;
	for (i = (size_t)(end - s); i < len; i++)
		if (!is_json_space(p[i]))
			return 0;
	return 1;
}

static int starts_with_ci(const unsigned char *p, size_t len, const char *s)
{
	size_t n = strlen(s);
	return len >= n && !str_ncasecmp((const char *)p, s, n);
}

/* Markup after any leading whitespace: HTML, XML, or NULL. */
static const char *sniff_markup(const unsigned char *p, size_t len)
{
	static const char *const html[] = { "<!doctype html", "<html", "<head",
					    "<body" };
	size_t i;

	for (i = 0; i < sizeof(html) / sizeof(html[0]); i++) {
		size_t n = strlen(html[i]);
		if (starts_with_ci(p, len, html[i]) &&
		    (len == n || p[n] == '>' || is_json_space(p[n])))
			return "text/html";
	}
	if (starts_with_ci(p, len, "<?xml") || starts_with_ci(p, len, "<!--") ||
	    starts_with_ci(p, len, "<!doctype"))
		return "application/xml";
	if (len >= 2 && p[0] == '<' &&
	    (is_ascii_letter((char)p[1]) || p[1] == '_' || p[1] == ':'))
		return "application/xml";
	return NULL;
}

const char *fmt_sniff(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	const char *type;
	size_t i = 0;

	if (!p || !len)
		return NULL;
	type = sniff_magic(p, len);
	if (type)
		return type;
	if (!is_text(p, len))
		return "application/octet-stream";
	if (has_bytes(p, len, 0, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && is_json_space(p[i]))
		i++;
	if (i < len && (p[i] == '{' || p[i] == '[') &&
	    parses_as_json(p + i, len - i))
		return "application/json";
	type = sniff_markup(p + i, len - i);
	return type ? type : "text/plain";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The base type of a Content-Type value, lower case, without parameters
 * or surrounding spaces. Returns -1 when it does not fit or is empty.
 */
static int base_type(const char *ct, char *out, size_t outlen)
{
	size_t n = 0, i;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	while (ct[n] && ct[n] != ';')
		n++;
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (!n || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		char c = ct[i];
		out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	return 0;
}

/* Other names for the types fmt_sniff returns. */
static const char *canonical(const char *type)
{
	static const char *const alias[][2] = {
		{ "image/jpg", "image/jpeg" },
		{ "image/pjpeg", "image/jpeg" },
		{ "application/x-pdf", "application/pdf" },
		{ "application/x-gzip", "application/gzip" },
		{ "application/x-zip-compressed", "application/zip" },
		{ "application/java-archive", "application/zip" },
		{ "audio/x-wav", "audio/wav" },
		{ "audio/wave", "audio/wav" },
		{ "text/xml", "application/xml" },
	};
	size_t i;
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(type, alias[i][0]))
			return alias[i][1];
	if (ends_with(type, "+json"))
		return "application/json";
	if (ends_with(type, "+zip") ||
	    starts_with(type,
			"application/vnd.openxmlformats-officedocument.") ||
	    starts_with(type, "application/vnd.oasis.opendocument."))
		return "application/zip";
	if (ends_with(type, "+xml") && strcmp(type, "application/xhtml+xml"))
		return "application/xml";
	return type;
}

static int is_textual(const char *sniffed)
{
	return !strcmp(sniffed, "text/plain") ||
	       !strcmp(sniffed, "application/json") ||
	       !strcmp(sniffed, "application/xml") ||
	       !strcmp(sniffed, "text/html");
}

int fmt_content_is(const char *expected, const void *p, size_t len)
{
	char base[128];
	const char *want, *got = fmt_sniff(p, len);

	if (!expected || !got || base_type(expected, base, sizeof(base)))
		return 0;
	if (!strcmp(base, "application/octet-stream"))
		return 1;
	if (starts_with(base, "text/") && is_textual(got))
		return 1;
	want = canonical(base);
	if (!strcmp(want, "application/json") && !strcmp(got, "text/plain"))
		return parses_as_json(p, len); /* a scalar: "ok", 42, true */
	if (!strcmp(want, "application/xhtml+xml"))
		return !strcmp(got, "text/html") ||
		       !strcmp(got, "application/xml");
	return !strcmp(want, got);
}

/*
 * metrics.c: the counters behind GET /__accord/metrics and the Prometheus
 * text they are written in: requests by interaction and status, unmatched
 * and forwarded requests, the latency histogram, and the escaping of label
 * values (which fault.c's accord_faults_total uses too). The counters take
 * no lock of their own: the stub server counts under its shared mutex.
 */
#include "stubserver/internal.h"

#include <stdlib.h>
#include <string.h>

static const double buckets[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
				  0.005,  0.01,	   0.025,  0.05,  0.1,
				  0.25,	  0.5,	   1,	   2.5 };
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

/* Requests by (interaction index, status); reset when the set changes. */
struct count {
	size_t index;
	int status;
	unsigned long long n;
};

struct stub_metrics {
	struct count *counts;
	size_t ncounts, capcounts;
	/* answers with their interaction's own status, by index: an array,
	 * not the table, because one index is touched per request and the
	 * table of 10,000 interactions does not stay in cache */
	unsigned long long *own;
	size_t nown;
	unsigned long long unmatched;
	/* accord record: requests forwarded, by the status answered (an
	 * array of 1,000, made at the first) */
	unsigned long long *forwarded;
	unsigned long long hist[NBUCKETS + 1];
	double hist_sum;
	unsigned long long hist_n;
};

struct stub_metrics *stub_metrics_new(size_t ninteractions)
{
	struct stub_metrics *m = xcalloc(1, sizeof(*m));
	m->nown = ninteractions;
	m->own = xcalloc(m->nown + 1, sizeof(*m->own));
	return m;
}

void stub_metrics_free(struct stub_metrics *m)
{
	if (!m)
		return;
	free(m->counts);
	free(m->own);
	free(m->forwarded);
	free(m);
}

void stub_metrics_new_set(struct stub_metrics *m, size_t ninteractions)
{
	/* indexes changed */
	if (m->counts)
		memset(m->counts, 0, m->capcounts * sizeof(*m->counts));
	m->ncounts = 0;
	free(m->own);
	m->nown = ninteractions;
	m->own = xcalloc(m->nown + 1, sizeof(*m->own));
}

static size_t count_slot(const struct count *t, size_t cap, size_t index,
			 int status)
{
	size_t i = (index * 1000003u + (size_t)status) & (cap - 1);
	while (t[i].n && (t[i].index != index || t[i].status != status))
		i = (i + 1) & (cap - 1);
	return i;
}

/*
 * Counts a request by (interaction, status): in m->own when the status is
 * the contract's (`own`), else in an open-addressing table.
 */
void stub_metrics_count(struct stub_metrics *m, size_t index, int status,
			int own)
{
	size_t i;
	if (own && index < m->nown) {
		m->own[index]++;
		return;
	}
	if ((m->ncounts + 1) * 2 > m->capcounts) {
		size_t cap = m->capcounts ? m->capcounts * 2 : 64, k;
		struct count *t = xcalloc(cap, sizeof(*t));
		for (k = 0; k < m->capcounts; k++)
			if (m->counts[k].n)
				t[count_slot(t, cap, m->counts[k].index,
					     m->counts[k].status)] =
					m->counts[k];
		free(m->counts);
		m->counts = t;
		m->capcounts = cap;
	}
	i = count_slot(m->counts, m->capcounts, index, status);
	if (!m->counts[i].n) {
		m->counts[i].index = index;
		m->counts[i].status = status;
		m->ncounts++;
	}
	m->counts[i].n++;
}

void stub_metrics_unmatched(struct stub_metrics *m)
{
	m->unmatched++;
}

void stub_metrics_forwarded(struct stub_metrics *m, int status)
{
	if (!m->forwarded)
		m->forwarded = xcalloc(STUB_STATUS_MAX + 1,
				       sizeof(*m->forwarded));
	if (status >= 0 && status <= STUB_STATUS_MAX)
		m->forwarded[status]++;
}

void stub_metrics_observe(struct stub_metrics *m, double seconds)
{
	size_t i;
	for (i = 0; i < NBUCKETS && seconds > buckets[i]; i++)
		;
	m->hist[i]++;
	m->hist_sum += seconds;
	m->hist_n++;
}

void stub_prom_label(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_addch(b, '\\');
		if (*s == '\n')
			buf_addstr(b, "\\n");
		else
			buf_addch(b, *s);
	}
}

void stub_metrics_text(const struct stub_metrics *m, const struct stub_set *set,
		       size_t open_connections, struct buf *b)
{
	size_t i;
	unsigned long long cum = 0;
	buf_addstr(b, "# HELP accord_requests_total Requests answered by an "
		      "interaction, by interaction and status.\n"
		      "# TYPE accord_requests_total counter\n");
	for (i = 0; i < m->nown; i++) {
		const char *d;
		if (!m->own[i])
			continue;
		d = stub_set_description(set, i);
		buf_addstr(b, "accord_requests_total{interaction=\"");
		stub_prom_label(b, d ? d : "");
		buf_addf(b, "\",status=\"%d\"} %llu\n", stub_set_status(set, i),
			 m->own[i]);
	}
	for (i = 0; i < m->capcounts; i++) {
		const struct count *c = &m->counts[i];
		const char *d;
		if (!c->n)
			continue;
		d = stub_set_description(set, c->index);
		buf_addstr(b, "accord_requests_total{interaction=\"");
		stub_prom_label(b, d ? d : "");
		buf_addf(b, "\",status=\"%d\"} %llu\n", c->status, c->n);
	}
	buf_addf(b,
		 "# HELP accord_unmatched_total Requests no interaction "
		 "matched.\n# TYPE accord_unmatched_total counter\n"
		 "accord_unmatched_total %llu\n",
		 m->unmatched);
	if (m->forwarded) {
		buf_addstr(b,
			   "# HELP accord_forwarded_total Requests forwarded "
			   "to the upstream (accord record), by the status "
			   "answered.\n"
			   "# TYPE accord_forwarded_total counter\n");
		for (i = 0; i <= STUB_STATUS_MAX; i++)
			if (m->forwarded[i])
				buf_addf(
					b,
					"accord_forwarded_total{status=\"%zu\"} "
					"%llu\n",
					i, m->forwarded[i]);
	}
	buf_addstr(b, "# HELP accord_request_duration_seconds Time to answer "
		      "a request.\n# TYPE accord_request_duration_seconds "
		      "histogram\n");
	for (i = 0; i < NBUCKETS; i++) {
		cum += m->hist[i];
		buf_addf(
			b,
			"accord_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			buckets[i], cum);
	}
	cum += m->hist[NBUCKETS];
	buf_addf(b,
		 "accord_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		 "accord_request_duration_seconds_sum %.9f\n"
		 "accord_request_duration_seconds_count %llu\n",
		 cum, m->hist_sum, m->hist_n);
	buf_addf(b,
		 "# HELP accord_open_connections Open client connections.\n"
		 "# TYPE accord_open_connections gauge\n"
		 "accord_open_connections %zu\n",
		 open_connections);
}

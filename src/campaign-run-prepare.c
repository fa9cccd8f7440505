/*
 * campaign-run-prepare.c - each claimed row's message: the lead still
 * reachable and in the window, OPORTUNIDADES' new matches, the text and
 * the template's variables personalised, the contact in the channel, the
 * voice note. What cannot be sent becomes its outcome here, before any
 * request.
 */
#include <stdlib.h>
#include <string.h>

#include "campaign-run-loop.h"
#include "strato/match.h"
#include "strato/personalize.h"
#include "strato/util.h"

#define MATCH_SHOWN 3

/*
 * OPORTUNIDADES: the lead's best matches published since the campaign's
 * last run, one line each, at most MATCH_SHOWN; NULL when there is none.
 */
static char *
new_matches(struct loop *L, const char *lead_id, struct st_error *err,
	    bool *failed)
{
	struct st_match_list ml;
	struct st_buf b = ST_BUF_INIT;
	int shown = 0;

	*failed = false;
	if (st_match_rank(L->db, L->c->tenant_id, lead_id, 20, &ml,
			  err) < 0) {
		*failed = true;
		return NULL;
	}
	for (size_t i = 0; i < ml.n && shown < MATCH_SHOWN; i++) {
		const struct st_match *m = &ml.items[i];

		if (!m->publicado_at || !L->c->since ||
		    strcmp(m->publicado_at, L->c->since) <= 0)
			continue;
		st_buf_addf(&b, "%s- %s (%s), %s %s", shown ? "\n" : "",
			    m->titulo ? m->titulo : m->codigo,
			    m->zona ? m->zona : "-",
			    m->moneda ? m->moneda : "",
			    m->precio ? m->precio : "");
		shown++;
	}
	st_match_list_release(&ml);
	return shown ? st_buf_detach(&b) : (st_buf_release(&b), NULL);
}

static const char *
var(json_t *vars, const char *k)
{
	return json_string_value(json_object_get(vars, k));
}

/* Render the text and the template's variables for the job's lead. */
static int
render(struct loop *L, struct job *j, const char *propiedades,
       struct st_error *err)
{
	json_t *v = j->row.vars, *item;
	struct st_personalize_vars pv = {
		.nombre = var(v, "nombre"), .zona = var(v, "zona"),
		.telefono = var(v, "telefono"), .email = var(v, "email"),
		.operacion = var(v, "operacion"),
		.tipo_propiedad = var(v, "tipo_propiedad"),
		.agente = var(v, "agente"),
		.inmobiliaria = var(v, "inmobiliaria"),
		.asistente = var(v, "asistente"), .propiedades = propiedades,
	};
	json_t *vars = json_object_get(L->c->tpl, "variables");
	size_t i;

	if (L->c->text && !(j->text = st_personalize_render(L->c->text, &pv,
							     err)))
		return -1;
	if (!j->use_template)
		return 0;
	j->params = st_xcalloc(json_array_size(vars) + 1, sizeof(char *));
	json_array_foreach(vars, i, item) {
		if (!(j->params[i] = st_personalize_render(
			      json_string_value(item), &pv, err)))
			return -1;
		j->nparams++;
	}
	return 0;
}

/*
 * The lead's contact in the channel: the id the lead carries, the
 * WhatsApp number, or ManyChat's / UChat's subscriber found or created
 * by phone. -1 with *transient when the provider could not be reached.
 */
static int
contact(struct loop *L, struct job *j, bool *transient, struct st_error *err)
{
	bool created = false;
	char *first = NULL;
	int ret;

	*transient = false;
	if (j->row.channel_id) {
		j->contact = st_xstrdup(j->row.channel_id);
		return 0;
	}
	if (!j->row.phone) {
		st_error_set(err, ST_EINVAL, "no phone and no channel id");
		return -1;
	}
	if (strcmp(L->chan.name, "WHATSAPP") == 0) {
		j->contact = st_xstrdup(j->row.phone + 1);
		return 0;
	}
	first = st_personalize_first_name(var(j->row.vars, "nombre"));
	ret = st_channel_contact(&L->chan, j->row.phone, first, NULL,
				 &j->contact, &created, err);
	free(first);
	if (ret < 0)
		*transient = L->chan.failure == ST_PFAIL_TRANSPORT ||
			     L->chan.failure == ST_PFAIL_RATE ||
			     L->chan.failure == ST_PFAIL_SERVER;
	return ret;
}

/* Synthesise the job's voice note, or fall back to text, or fail. */
static int
voice(struct loop *L, struct job *j, struct st_error *err)
{
	if (cr_voice_get(L->db, &L->voice, L->c->tenant_id, L->c->voice_id,
			 j->text, &L->chan, &j->audio_url, &j->voice_chars,
			 &j->voice_cached, err) == 0) {
		if (j->voice_cached)
			L->r->voice_hits++;
		L->r->voice_chars += j->voice_chars;
		return 0;
	}
	if (!L->c->voice_fallback)
		return -1;
	j->ok_reason = "voice_fallback";
	j->ok_message = st_xstrdup(err->message);
	return 0;
}

/* The wait before a row's next attempt, Retry-After first. */
long
cr_retry_ms(struct loop *L, int attempts, long retry_after)
{
	return st_http_backoff(attempts, L->backoff_ms, 15 * 60 * 1000L,
			       retry_after);
}

/*
 * Turn a claimed row into a job ready to send, or into its outcome (a
 * skip, a failure, a retry) without any request. Takes the row.
 */
void
cr_prepare_row(struct loop *L, struct cr_row *row)
{
	struct job *j = st_xcalloc(1, sizeof(*j));
	struct st_error err;
	char *props = NULL;
	bool flag = false;

	st_error_init(&err);
	j->row = *row;
	memset(row, 0, sizeof(*row));
	j->use_template = L->c->tpl && strcmp(L->chan.name, "WHATSAPP") == 0
		&& (!j->row.in_window || !L->c->text);
	if (j->row.gone) {
		cr_result_add(L, j->row.id, "SKIPPED", "opt_out", NULL);
		goto drop;
	}
	if (!j->row.in_window && !j->use_template) {
		cr_result_add(L, j->row.id, "SKIPPED", "outside_24h", NULL);
		goto drop;
	}
	if (strcmp(L->c->tipo, "OPORTUNIDADES") == 0) {
		props = new_matches(L, j->row.lead_id, &err, &flag);
		if (!props) {
			if (flag)
				cr_result_add(L, j->row.id, "PENDING", "match_failed",
				       err.message)->retry_ms =
					cr_retry_ms(L, j->row.attempts, -1);
			else
				cr_result_add(L, j->row.id, "SKIPPED",
				       "no_new_match", NULL);
			goto drop;
		}
	}
	if (render(L, j, props, &err) < 0) {
		cr_result_add(L, j->row.id, "FAILED", "render_failed", err.message);
		goto drop;
	}
	if (contact(L, j, &flag, &err) < 0) {
		if (flag && j->row.attempts < L->max_attempts)
			cr_result_add(L, j->row.id, "PENDING", "contact_retry",
			       err.message)->retry_ms =
				cr_retry_ms(L, j->row.attempts, -1);
		else
			cr_result_add(L, j->row.id, "FAILED", "contact_failed",
			       err.message);
		goto drop;
	}
	if (L->c->voice && j->text && !j->use_template &&
	    voice(L, j, &err) < 0) {
		cr_result_add(L, j->row.id, "FAILED", L->voice.p.failure ==
		       ST_PFAIL_QUOTA ? "voice_quota" : "voice_failed",
		       err.message);
		goto drop;
	}
	free(props);
	cr_push_ready(L, j, false);
	return;
drop:
	free(props);
	cr_job_free(j);
}

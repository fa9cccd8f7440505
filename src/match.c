/*
 * match.c - ranking properties for a lead, in SQL (see match.h for the
 * score). Two statements: the lead's preferences with the weights and the
 * rate, then the ranking with those bound as constants.
 */
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "strato/match.h"
#include "strato/tenant.h"

/*
 * The preferences statement's columns, in the order the ranking binds
 * them as $2 onwards: operations and types (arrays: every value when the
 * lead states none), the price window in USD and in ARS (NULL: no
 * budget), the zones (folded like property.zona_norm), the budget in the
 * lead's currency, the currency, the rate, the rooms, the four weights
 * (normalised to sum 1), the zones as LIKE prefixes ("palermo %"), now as
 * epoch seconds; then the weights as text for people.
 */
#define NPREFS 19
#define NBOUND 18
#define PREF_WEIGHTS 18

#define ALL_TIPOS "'{DEPARTAMENTO,CASA,PH,LOCAL,OFICINA,TERRENO,COCHERA,OTRO}'"

static const char prefs_sql[] =
	"WITH l AS (SELECT l.*, coalesce(l.moneda, CASE WHEN l.operacion ="
	"   'ALQUILER' THEN 'ARS' ELSE 'USD' END) AS cur,"
	"   coalesce(l.presupuesto_max, l.presupuesto) AS bmax,"
	"   l.presupuesto_min IS NOT NULL OR l.presupuesto_max IS NOT NULL"
	"   OR l.presupuesto IS NOT NULL AS hb"
	"  FROM strato.lead l"
	"  WHERE l.tenant_id = $1 AND l.id = $2 AND l.deleted_at IS NULL),"
	" zs AS (SELECT array_agg(DISTINCT strato.f_unaccent(lower(btrim(z))))"
	"   AS a FROM l, unnest(l.zonas || string_to_array(l.zona_interes, ','))"
	"   AS z WHERE btrim(z) <> ''),"
	" rate AS (SELECT coalesce((SELECT CASE WHEN t.config ->> 'usd_ars'"
	"   ~ '^[0-9]+(\\.[0-9]+)?$' THEN nullif((t.config ->> 'usd_ars')"
	"   ::numeric, 0) END FROM strato.tenant t WHERE t.id = $1), "
	ST_MATCH_USD_ARS ") AS r),"
	/* to USD and to ARS from the lead's currency */
	" fx AS (SELECT CASE WHEN l.cur = 'USD' THEN 1 ELSE 1 / rate.r END"
	"   AS usd, CASE WHEN l.cur = 'ARS' THEN 1 ELSE rate.r END AS ars"
	"  FROM l, rate),"
	" rk AS (SELECT a.config -> 'ranking' AS j FROM strato.assistant a"
	"  WHERE a.tenant_id = $1 AND a.is_active"
	"  ORDER BY a.updated_at DESC, a.id LIMIT 1),"
	" w AS (SELECT d.n, d.dflt, CASE WHEN jsonb_typeof(rk.j -> d.k) ="
	"   'number' THEN (rk.j ->> d.k)::numeric END AS v"
	"  FROM (VALUES (1, 'zona', 0.35), (2, 'precio', 0.35),"
	"   (3, 'ambientes', 0.2), (4, 'recencia', 0.1)) AS d (n, k, dflt)"
	"  LEFT JOIN rk ON true),"
	" w2 AS (SELECT n, dflt, CASE WHEN v >= 0 THEN v ELSE dflt END AS v"
	"  FROM w),"
	" ws AS (SELECT CASE WHEN sum(v) > 0 THEN array_agg(v ORDER BY n)"
	"   ELSE array_agg(dflt ORDER BY n) END AS a FROM w2),"
	" wn AS (SELECT ws.a, ws.a[1] + ws.a[2] + ws.a[3] + ws.a[4] AS t"
	"  FROM ws)"
	" SELECT CASE WHEN l.operacion IS NULL THEN '{VENTA,ALQUILER}'"
	"   ELSE ARRAY[l.operacion]::text END,"
	"  CASE WHEN l.tipo_propiedad IS NULL THEN " ALL_TIPOS
	"   ELSE ARRAY[l.tipo_propiedad]::text END,"
	/* the windows in centavos: bigint compares under RLS, numeric not */
	"  CASE WHEN hb THEN floor(coalesce(l.presupuesto_min, 0) * 50"
	"   * fx.usd)::bigint END,"
	"  CASE WHEN hb THEN ceil(coalesce(l.bmax * 150 * fx.usd, 1e15))::bigint"
	"   END,"
	"  CASE WHEN hb THEN floor(coalesce(l.presupuesto_min, 0) * 50"
	"   * fx.ars)::bigint END,"
	"  CASE WHEN hb THEN ceil(coalesce(l.bmax * 150 * fx.ars, 1e15))::bigint"
	"   END,"
	"  zs.a::text, l.presupuesto_min::text, l.bmax::text, l.cur,"
	"  rate.r::text, l.ambientes::text, (wn.a[1] / wn.t)::float8::text,"
	"  (wn.a[2] / wn.t)::float8::text, (wn.a[3] / wn.t)::float8::text,"
	"  (wn.a[4] / wn.t)::float8::text,"
	"  (SELECT array_agg(replace(replace(replace(z, '\\', '\\\\'), '%',"
	"   '\\%'), '_', '\\_') || ' %') FROM unnest(zs.a) AS z)::text,"
	"  date_part('epoch', now())::text,"
	"  format('zona=%s precio=%s ambientes=%s recencia=%s',"
	"   trim_scale(wn.a[1]), trim_scale(wn.a[2]), trim_scale(wn.a[3]),"
	"   trim_scale(wn.a[4]))"
	" FROM l, zs, rate, fx, wn";

/*
 * The candidates, on $1 tenant, $2 operations, $3 types, $4-$5 the USD
 * window, $6-$7 the ARS window (centavos): one branch per currency, each
 * a range of property_match_moneda per (operation, type), read from the
 * index alone (it carries every column selected here).
 */
#define CAND_BRANCH(cur, lo, hi) \
	" SELECT p.id, p.moneda, p.precio_centavos, p.zona_norm, p.ambientes," \
	"  p.publicado_at FROM strato.property p" \
	" WHERE p.tenant_id = $1 AND p.estado = 'DISPONIBLE'" \
	" AND p.operacion = ANY ($2::text[]) AND p.tipo = ANY ($3::text[])" \
	" AND p.moneda = '" cur "' AND ($4::bigint IS NULL" \
	"  OR p.precio_centavos BETWEEN " lo "::bigint AND " hi "::bigint)"
#define CANDIDATES \
	"(" CAND_BRANCH("USD", "$4", "$5") " UNION ALL" \
	CAND_BRANCH("ARS", "$6", "$7") ") AS p"

/* The candidate's price in the lead's currency ($11), at rate $12. */
#define PC \
	"(p.precio_centavos / CASE WHEN p.moneda = $11 THEN 100.0::float8" \
	" WHEN $11 = 'USD' THEN 100.0 * $12::float8" \
	" ELSE 100.0 / $12::float8 END)"

/*
 * The four components of a row p (moneda, precio_centavos, zona_norm,
 * ambientes, publicado_at), in float8 (cheap per row); a lead's unstated
 * preference binds NULL, which the planner folds to a constant.
 */
#define COMPONENTS \
	"  CASE WHEN $8::text[] IS NULL THEN 1" \
	"   WHEN p.zona_norm = ANY ($8::text[]) THEN 1" \
	"   WHEN p.zona_norm LIKE ANY ($18::text[]) THEN 0.5" \
	"   ELSE 0 END::float8 AS sz," \
	"  CASE WHEN $4::bigint IS NULL THEN 1::float8" \
	"   ELSE greatest(0, 1 - CASE" \
	"    WHEN " PC " < $9::float8 THEN ($9::float8 - " PC ")" \
	"     / nullif($9::float8 * 0.5, 0)" \
	"    WHEN " PC " > $10::float8 THEN (" PC " - $10::float8)" \
	"     / nullif($10::float8 * 0.5, 0)" \
	"    ELSE 0 END)" \
	"    * CASE WHEN p.moneda = $11 THEN 1 ELSE 0.9 END" \
	"   END AS sp," \
	"  CASE WHEN $13::int IS NULL THEN 1" \
	"   WHEN p.ambientes IS NULL THEN 0.5" \
	"   WHEN p.ambientes >= $13::int" \
	"    THEN greatest(0, 1 - 0.25 * (p.ambientes - $13::int))" \
	"   ELSE greatest(0, 1 - 0.5 * ($13::int - p.ambientes))" \
	"   END::float8 AS sa," \
	"  power(0.5::float8, least(1000, greatest(0, ($19::float8" \
	"   - date_part('epoch', p.publicado_at)) / 2592000))) AS sr"

/* The weighted sum of the components of c. */
#define SCORE \
	" $14::float8 * c.sz + $15::float8 * c.sp" \
	" + $16::float8 * c.sa + $17::float8 * c.sr"

/*
 * The pre-filter on a row p of a group scan, but for tenant and estado.
 * "IS TRUE" (the same in a WHERE) keeps it a filter of the group scan:
 * as a range of property_match_moneda it would be read whole for every
 * group.
 */
#define ROWFILTER \
	" (p.operacion = ANY ($2::text[]) AND p.tipo = ANY ($3::text[])" \
	" AND ($4::bigint IS NULL" \
	"  OR p.moneda = 'USD'" \
	"  AND p.precio_centavos BETWEEN $4 AND $5::bigint" \
	"  OR p.moneda = 'ARS'" \
	"  AND p.precio_centavos BETWEEN $6 AND $7::bigint))" \
	" IS TRUE"

#define COLS \
	" p.id, p.operacion, p.tipo, p.moneda, p.precio_centavos," \
	" p.zona_norm, p.ambientes, p.publicado_at"

/*
 * The groups: g.z a wanted zone (NULL: every other zone), g.a a number
 * of rooms (0: not stated), g.m the most a property of the group can
 * score but for recency: wz (1, or 0.5 for the other zones of a lead
 * with zones) + wp + wa sa(g.a); g.cut the oldest publication to read
 * (cut, an expression of m). Materialised, so that the index conditions
 * compare plain columns (leakproof under Row-Level Security).
 */
#define GROUPS(cut) \
	" g AS MATERIALIZED (SELECT g.z, g.a, g.m, " cut " AS cut FROM" \
	" (SELECT z.z, a.a::smallint AS a, $14::float8 * z.s + $15::float8" \
	"  + $16::float8 * CASE WHEN $13::int IS NULL THEN 1" \
	"   WHEN a.a = 0 THEN 0.5 WHEN a.a >= $13::int" \
	"   THEN greatest(0, 1 - 0.25 * (a.a - $13::int))" \
	"   ELSE greatest(0, 1 - 0.5 * ($13::int - a.a)) END AS m" \
	"  FROM (SELECT z, 1::float8 AS s FROM unnest($8::text[]) AS z" \
	"   UNION ALL SELECT NULL, CASE WHEN $8::text[] IS NULL THEN 1" \
	"   ELSE 0.5 END) AS z, generate_series(0, 50) AS a (a)) AS g)"

/* One branch of GROUP_ROWS: zone and rooms conditions, then the tail. */
#define GROUP_BRANCH(zone, rooms, tail) \
	" (SELECT" COLS " FROM strato.property p" \
	"  WHERE p.tenant_id = $1 AND p.estado = 'DISPONIBLE'" zone rooms \
	"  AND p.publicado_at >= g.cut" tail ")"
#define G_ZONE " AND g.z IS NOT NULL AND p.zona_norm = g.z"
#define G_REST \
	" AND g.z IS NULL AND NOT coalesce(p.zona_norm = ANY ($8::text[])," \
	" false)"
#define G_ROOMS " AND g.a > 0 AND p.ambientes = g.a"
#define G_NOROOMS " AND g.a = 0 AND p.ambientes IS NULL"

/*
 * The available properties of group g published since g.cut, each
 * branch one range of property_match_zona or property_match_rooms.
 */
#define GROUP_ROWS(tail) \
	GROUP_BRANCH(G_ZONE, G_ROOMS, tail) " UNION ALL" \
	GROUP_BRANCH(G_ZONE, G_NOROOMS, tail) " UNION ALL" \
	GROUP_BRANCH(G_REST, G_ROOMS, tail) " UNION ALL" \
	GROUP_BRANCH(G_REST, G_NOROOMS, tail)

/*
 * The bound. The candidates fall in groups of one wanted zone or the
 * rest, and one number of rooms (GROUPS), each read newest first from
 * property_match_zona or property_match_rooms. The newest N candidates
 * of each group (N = $20; of its newest 500 properties: bounded work)
 * are scored. The groups partition the candidates (a zone is wanted or
 * not; ambientes is NULL or 1 to 50), so these are distinct candidates
 * and the N-th best score L of those is at most the N-th best of all:
 * every property of the top N scores at least L. A candidate of group g
 * scores at most g.m + wr sr (sz at most 1 or 0.5, sp at most 1, sa
 * exactly that of g.a), so it can reach L only when sr >= t =
 * (L - g.m) / wr, that is when it was published at most 30 log2(1/t)
 * days before now. rank_sql scores exactly those, group by group: a
 * superset of the top N within the candidates, so its top N, under the
 * same score and order, is that of scoring every candidate. NULL when
 * there are fewer than N seeds (rank_all_sql then scores them all).
 */
static const char bound_sql[] =
	"WITH" GROUPS("'-infinity'::timestamptz") ","
	" seed AS (SELECT s.* FROM g, LATERAL (SELECT" COLS " FROM ("
	GROUP_ROWS(" ORDER BY p.publicado_at DESC LIMIT 500")
	"  ) AS p WHERE" ROWFILTER
	"  ORDER BY p.publicado_at DESC LIMIT $20::int) AS s)"
	" SELECT l.b::text FROM (SELECT" SCORE " AS b FROM (SELECT" COMPONENTS
	"  FROM seed AS p) AS c) AS l ORDER BY l.b DESC"
	" OFFSET $20::int - 1 LIMIT 1";

/*
 * The candidates that can reach the top N, given $21 = L (bound_sql):
 * per group, those published since the cut-off for t (less a minute, and
 * L less 1e-9, for rounding): none when t > 1 (the group cannot reach
 * L), all when t <= 1e-12 or wr is 0.
 */
#define CUT \
	"to_timestamp(CASE WHEN g.m + $17::float8 < $21::float8 - 1e-9" \
	" THEN 'Infinity' WHEN $17::float8 <= 0" \
	" OR $21::float8 - 1e-9 - g.m <= 1e-12 * $17::float8 THEN '-Infinity'" \
	" ELSE $19::float8 - 60 - 2592000 * ln($17::float8" \
	" / ($21::float8 - 1e-9 - g.m)) / ln(2) END)"
#define CUT_CANDIDATES \
	"(SELECT p.* FROM g, LATERAL (" GROUP_ROWS("") ") AS p" \
	" WHERE" ROWFILTER ") AS p"

/*
 * The ranking: the best N by score, then the newer, then the id, scored
 * from the indexes alone; only they are read from the table. RANK_SQL
 * takes the candidates: all that pass the pre-filter (rank_all_sql, for
 * a lead with fewer than N seeds), or those that can reach the top
 * (rank_sql).
 */
#define RANK_SQL(cands) \
	"SELECT p.id, p.codigo, p.titulo, p.operacion, p.tipo, p.zona," \
	" trim_scale(p.precio)::text, p.moneda, p.ambientes::text, " \
	ST_SQL_TS("p.publicado_at") "," \
	" round(s.score::numeric, 3)::text, round(s.sz::numeric, 3)::text," \
	" round(s.sp::numeric, 3)::text, round(s.sa::numeric, 3)::text," \
	" round(s.sr::numeric, 3)::text" \
	" FROM (SELECT c.id, c.publicado_at, c.sz, c.sp, c.sa, c.sr," \
	SCORE " AS score" \
	"  FROM (SELECT p.id, p.publicado_at," COMPONENTS \
	"   FROM " cands ") c" \
	"  ORDER BY score DESC, c.publicado_at DESC, c.id LIMIT $20::int) s" \
	" JOIN strato.property p ON p.tenant_id = $1 AND p.id = s.id" \
	" ORDER BY s.score DESC, s.publicado_at DESC, s.id"

static const char rank_all_sql[] = RANK_SQL(CANDIDATES);
static const char rank_sql[] = "WITH" GROUPS(CUT) " " RANK_SQL(CUT_CANDIDATES);

static const char count_sql[] =
	"SELECT count(*) FROM " CANDIDATES;

void
st_match_list_release(struct st_match_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct st_match *m = &l->items[i];
		char **s[] = { &m->id, &m->codigo, &m->titulo, &m->operacion,
			       &m->tipo, &m->zona, &m->precio, &m->moneda,
			       &m->ambientes, &m->publicado_at, &m->score,
			       &m->score_zona, &m->score_precio,
			       &m->score_ambientes, &m->score_recencia };

		for (size_t k = 0; k < ST_ARRAY_SIZE(s); k++)
			free(*s[k]);
	}
	free(l->items);
	free(l->weights);
	memset(l, 0, sizeof(*l));
}

static void
release_prefs(char **v)
{
	for (int i = 0; i < NPREFS; i++) {
		free(v[i]);
		v[i] = NULL;
	}
}

/* Inside the tenant transaction: the lead's preferences into v[]. */
static int
read_prefs(struct st_db *db, const char *tenant_id, const char *lead_id,
	   char **v, struct st_error *err)
{
	PGresult *res = st_db_query(db, prefs_sql, 2,
				    (const char *const[]){ tenant_id,
							   lead_id }, err);
	int ret = -1;

	if (!res)
		return -1;
	if (PQntuples(res) == 0) {
		st_error_set(err, ST_ENOTFOUND, "lead \"%s\" does not exist",
			     lead_id);
	} else {
		for (int i = 0; i < NPREFS; i++)
			v[i] = st_db_dup(res, 0, i);
		ret = 0;
	}
	PQclear(res);
	return ret;
}

static void
match_from_row(struct st_match *m, const PGresult *res, int r)
{
	char **s[] = { &m->id, &m->codigo, &m->titulo, &m->operacion,
		       &m->tipo, &m->zona, &m->precio, &m->moneda,
		       &m->ambientes, &m->publicado_at, &m->score,
		       &m->score_zona, &m->score_precio, &m->score_ambientes,
		       &m->score_recencia };

	for (size_t i = 0; i < ST_ARRAY_SIZE(s); i++)
		*s[i] = st_db_dup(res, r, (int)i);
}

/*
 * Inside the tenant transaction: L of bound_sql into *bound (NULL when
 * there are fewer than N seeds), params as for rank_sql.
 */
static int
read_bound(struct st_db *db, const char *const *params, char **bound,
	   struct st_error *err)
{
	PGresult *res = st_db_query(db, bound_sql, NBOUND + 2, params, err);

	if (!res)
		return -1;
	*bound = PQntuples(res) ? st_db_dup(res, 0, 0) : NULL;
	PQclear(res);
	return 0;
}

/*
 * Rank: read the preferences, bound the candidates by the score of a few
 * (bound_sql), then rank those that can reach the top (rank_sql). All in
 * one read-only tenant transaction, so they see the same snapshot.
 */
int
st_match_rank(struct st_db *db, const char *tenant_id, const char *lead_id,
	      int limit, struct st_match_list *out, struct st_error *err)
{
	char *v[NPREFS] = { NULL }, *bound = NULL;
	const char *params[NBOUND + 3];
	char lim[16];
	PGresult *res = NULL;
	int n, ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(lim, sizeof(lim), "%d", limit <= 0 ? 10 :
		 limit > 1000 ? 1000 : limit);
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (read_prefs(db, tenant_id, lead_id, v, err) < 0)
		goto cleanup;
	params[0] = tenant_id;
	for (int i = 0; i < NBOUND; i++)
		params[i + 1] = v[i];
	params[NBOUND + 1] = lim;
	/*
	 * The estimates of the group scans are for whole groups, cut-offs
	 * unknown: high enough for JIT, whose compilation would cost more
	 * than the few hundred rows really read.
	 */
	if (st_db_run(db, "SET LOCAL jit = off", 0, NULL, err) < 0 ||
	    read_bound(db, params, &bound, err) < 0)
		goto cleanup;
	params[NBOUND + 2] = bound;
	res = bound ? st_db_query(db, rank_sql, NBOUND + 3, params, err)
		    : st_db_query(db, rank_all_sql, NBOUND + 2, params, err);
	if (!res)
		goto cleanup;
	n = PQntuples(res);
	out->items = st_xcalloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		match_from_row(&out->items[i], res, i);
	out->n = (size_t)n;
	out->weights = v[PREF_WEIGHTS];
	v[PREF_WEIGHTS] = NULL;
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0) {
		st_tenant_rollback(db);
		st_match_list_release(out);
	}
	PQclear(res);
	release_prefs(v);
	free(bound);
	return ret;
}

/* The same preferences and pre-filter, counted: no scoring, no sort. */
int
st_match_candidates(struct st_db *db, const char *tenant_id,
		    const char *lead_id, long *n, struct st_error *err)
{
	char *v[NPREFS] = { NULL };
	const char *params[7];
	PGresult *res = NULL;
	int ret = -1;

	*n = 0;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (read_prefs(db, tenant_id, lead_id, v, err) < 0)
		goto cleanup;
	params[0] = tenant_id;
	for (int i = 0; i < 6; i++)
		params[i + 1] = v[i];
	res = st_db_query(db, count_sql, 7, params, err);
	if (!res)
		goto cleanup;
	*n = atol(PQgetvalue(res, 0, 0));
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_tenant_rollback(db);
	PQclear(res);
	release_prefs(v);
	return ret;
}

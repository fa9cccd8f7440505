/*
 * import-map.c - from a CSV header and its records to staging rows.
 *
 * The header decides what each column is: names compare by st_norm_key(),
 * so case, accents and punctuation do not matter, and the synonyms below
 * cover Spanish and English spreadsheets and ad-platform lead exports.
 * --map overrides a column, --default fills a field left empty. Each
 * record becomes one line of COPY text for the staging table, or a reason
 * to refuse it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "import-internal.h"
#include "strato/normalize.h"
#include "strato/phone.h"

static const char *const field_names[F_COUNT] = {
	[F_NONE] = "", [F_IGNORE] = "ignore", [F_EXTRA] = "extra",
	[F_CUSTOM] = "custom", [F_NOMBRE] = "nombre",
	[F_FIRST] = "first_name", [F_LAST] = "last_name",
	[F_TELEFONO] = "telefono", [F_EMAIL] = "email", [F_ZONA] = "zona",
	[F_ZONAS] = "zonas", [F_PRESUPUESTO] = "presupuesto",
	[F_PRESUPUESTO_MIN] = "presupuesto_min",
	[F_PRESUPUESTO_MAX] = "presupuesto_max", [F_MONEDA] = "moneda",
	[F_TIPO] = "tipo", [F_TIPO_PROPIEDAD] = "tipo_propiedad",
	[F_OPERACION] = "operacion", [F_ORIGEN] = "origen",
	[F_ESTADO] = "estado", [F_TAGS] = "tags", [F_NOTAS] = "notas",
	[F_AMBIENTES] = "ambientes", [F_ASIGNADO] = "asignado",
	[F_ES_CLIENTE] = "es_cliente", [F_OPT_OUT] = "opt_out",
};

/* Header keys (st_norm_key form) and what they mean. */
static const struct {
	const char *key;
	enum import_field field;
} synonyms[] = {
	{ "nombre", F_NOMBRE }, { "nombreyapellido", F_NOMBRE },
	{ "nombrecompleto", F_NOMBRE }, { "nombreapellido", F_NOMBRE },
	{ "name", F_NOMBRE }, { "fullname", F_NOMBRE },
	{ "contacto", F_NOMBRE }, { "razonsocial", F_NOMBRE },
	{ "firstname", F_FIRST }, { "primernombre", F_FIRST },
	{ "givenname", F_FIRST }, { "nombres", F_FIRST },
	{ "lastname", F_LAST }, { "apellido", F_LAST }, { "apellidos", F_LAST },
	{ "surname", F_LAST }, { "familyname", F_LAST },
	{ "telefono", F_TELEFONO }, { "tel", F_TELEFONO },
	{ "telefonos", F_TELEFONO }, { "celular", F_TELEFONO },
	{ "cel", F_TELEFONO }, { "movil", F_TELEFONO },
	{ "whatsapp", F_TELEFONO }, { "phone", F_TELEFONO },
	{ "phonenumber", F_TELEFONO }, { "mobile", F_TELEFONO },
	{ "mobilephone", F_TELEFONO }, { "telefonocelular", F_TELEFONO },
	{ "numerodetelefono", F_TELEFONO },
	{ "email", F_EMAIL }, { "mail", F_EMAIL }, { "correo", F_EMAIL },
	{ "correoelectronico", F_EMAIL }, { "emailaddress", F_EMAIL },
	{ "zona", F_ZONA }, { "barrio", F_ZONA }, { "localidad", F_ZONA },
	{ "zonainteres", F_ZONA }, { "zonadeinteres", F_ZONA },
	{ "zone", F_ZONA }, { "neighborhood", F_ZONA }, { "ciudad", F_ZONA },
	{ "city", F_ZONA }, { "ubicacion", F_ZONA }, { "location", F_ZONA },
	{ "zonas", F_ZONAS },
	{ "presupuesto", F_PRESUPUESTO }, { "budget", F_PRESUPUESTO },
	{ "precio", F_PRESUPUESTO }, { "price", F_PRESUPUESTO },
	{ "presupuestomin", F_PRESUPUESTO_MIN },
	{ "presupuestominimo", F_PRESUPUESTO_MIN },
	{ "minbudget", F_PRESUPUESTO_MIN },
	{ "presupuestomax", F_PRESUPUESTO_MAX },
	{ "presupuestomaximo", F_PRESUPUESTO_MAX },
	{ "maxbudget", F_PRESUPUESTO_MAX },
	{ "moneda", F_MONEDA }, { "currency", F_MONEDA }, { "divisa", F_MONEDA },
	{ "tipo", F_TIPO }, { "type", F_TIPO }, { "tipodecliente", F_TIPO },
	{ "tipocliente", F_TIPO }, { "perfil", F_TIPO },
	{ "tipopropiedad", F_TIPO_PROPIEDAD },
	{ "tipodepropiedad", F_TIPO_PROPIEDAD },
	{ "propertytype", F_TIPO_PROPIEDAD }, { "inmueble", F_TIPO_PROPIEDAD },
	{ "tipoinmueble", F_TIPO_PROPIEDAD },
	{ "operacion", F_OPERACION }, { "operation", F_OPERACION },
	{ "transaccion", F_OPERACION },
	{ "origen", F_ORIGEN }, { "source", F_ORIGEN }, { "fuente", F_ORIGEN },
	{ "canal", F_ORIGEN }, { "leadsource", F_ORIGEN },
	{ "estado", F_ESTADO }, { "status", F_ESTADO }, { "etapa", F_ESTADO },
	{ "etiquetas", F_TAGS }, { "etiqueta", F_TAGS }, { "tags", F_TAGS },
	{ "tag", F_TAGS }, { "labels", F_TAGS },
	{ "notas", F_NOTAS }, { "nota", F_NOTAS }, { "notes", F_NOTAS },
	{ "note", F_NOTAS }, { "comentarios", F_NOTAS },
	{ "comentario", F_NOTAS }, { "observaciones", F_NOTAS },
	{ "comments", F_NOTAS },
	{ "ambientes", F_AMBIENTES }, { "amb", F_AMBIENTES },
	{ "rooms", F_AMBIENTES },
	{ "asignado", F_ASIGNADO }, { "asignadoa", F_ASIGNADO },
	{ "agente", F_ASIGNADO }, { "vendedor", F_ASIGNADO },
	{ "assigned", F_ASIGNADO }, { "assignedto", F_ASIGNADO },
	{ "responsable", F_ASIGNADO },
	{ "escliente", F_ES_CLIENTE }, { "iscustomer", F_ES_CLIENTE },
	{ "optout", F_OPT_OUT }, { "baja", F_OPT_OUT },
	{ "nocontactar", F_OPT_OUT },
	{ "custom", F_CUSTOM },
	/* what an export adds that the import derives again */
	{ "telefonoe164", F_IGNORE }, { "createdat", F_IGNORE },
};

/* Columns of an ad platform's lead export: kept in custom, and their
 * presence says the leads came from ads. */
static const char *const ad_keys[] = {
	"id", "createdtime", "adid", "adname", "adsetid", "adsetname",
	"campaignid", "campaignname", "formid", "formname", "isorganic",
	"platform", NULL,
};

static const char *const estados[] = { "NUEVO", "CONTACTADO", "CALIFICADO",
	"VISITA_AGENDADA", "NEGOCIACION", "GANADO", "PERDIDO", NULL };
static const char *const tipos[] = { "COMPRADOR", "VENDEDOR", "INQUILINO",
	"LOCADOR", "INVERSOR", NULL };
static const char *const tipos_propiedad[] = { "DEPARTAMENTO", "CASA", "PH",
	"LOCAL", "OFICINA", "TERRENO", "COCHERA", "OTRO", NULL };

/* What people write for an enumerated value, beyond its own name. */
static const struct {
	const char *key;
	const char *value;
} aliases[] = {
	{ "compra", "VENTA" }, { "comprar", "VENTA" }, { "venta", "VENTA" },
	{ "vender", "VENTA" }, { "sale", "VENTA" }, { "buy", "VENTA" },
	{ "alquiler", "ALQUILER" }, { "alquilar", "ALQUILER" },
	{ "renta", "ALQUILER" }, { "rent", "ALQUILER" },
	{ "depto", "DEPARTAMENTO" }, { "dpto", "DEPARTAMENTO" },
	{ "apartment", "DEPARTAMENTO" }, { "lote", "TERRENO" },
	{ "house", "CASA" }, { "oficinas", "OFICINA" },
	{ "usd", "USD" }, { "dolares", "USD" }, { "us", "USD" },
	{ "ars", "ARS" }, { "pesos", "ARS" },
};

const char *
import_field_name(enum import_field f)
{
	return f > F_NONE && f < F_COUNT ? field_names[f] : "";
}

/* A field by its canonical name ("telefono", "assigned" too). */
static enum import_field
field_by_name(const char *name)
{
	char *k = st_norm_key(name);
	enum import_field f = F_NONE;

	for (int i = F_IGNORE; i < F_COUNT && f == F_NONE; i++) {
		char *n = st_norm_key(field_names[i]);

		if (strcmp(n, k) == 0)
			f = (enum import_field)i;
		free(n);
	}
	if (f == F_NONE && strcmp(k, "assigned") == 0)
		f = F_ASIGNADO;
	if (f == F_NONE)
		for (size_t i = 0; i < ST_ARRAY_SIZE(synonyms); i++)
			if (strcmp(synonyms[i].key, k) == 0)
				f = synonyms[i].field;
	free(k);
	return f;
}

static enum import_field
field_by_header(const char *key, bool *ad)
{
	*ad = false;
	for (size_t i = 0; i < ST_ARRAY_SIZE(synonyms); i++)
		if (strcmp(synonyms[i].key, key) == 0)
			return synonyms[i].field;
	for (int i = 0; ad_keys[i]; i++)
		if (strcmp(ad_keys[i], key) == 0) {
			*ad = true;
			return F_EXTRA;
		}
	return F_NONE;
}

void
import_plan_release(struct import_plan *p)
{
	for (size_t i = 0; i < p->nheader; i++)
		free(p->header[i]);
	free(p->header);
	free(p->fields);
	for (int i = 0; i < F_COUNT; i++)
		free(p->defaults[i]);
	memset(p, 0, sizeof(*p));
}

/* Apply --map "Header=field,...": headers compare by key. */
static int
apply_map(struct import_plan *p, const char *map, struct st_error *err)
{
	char *copy = st_xstrdup(map);
	char *save = NULL;
	int ret = 0;

	for (char *item = strtok_r(copy, ",", &save); item && ret == 0;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(item, '=');
		char *key;
		enum import_field f;
		bool found = false;

		if (!eq) {
			st_error_set(err, ST_EUSAGE, "--map item \"%s\" is not "
				     "Header=field", item);
			ret = -1;
			break;
		}
		*eq = '\0';
		f = field_by_name(eq + 1);
		if (f == F_NONE) {
			st_error_set(err, ST_EUSAGE, "--map: unknown field \"%s\"",
				     eq + 1);
			st_error_hint(err, "Fields: nombre, first_name, last_name, "
				      "telefono, email, zona, presupuesto, tipo, "
				      "tipo_propiedad, operacion, origen, estado, "
				      "tags, notas, ambientes, asignado, es_cliente, "
				      "opt_out, custom, extra, ignore.");
			ret = -1;
			break;
		}
		key = st_norm_key(item);
		for (size_t i = 0; i < p->ncols; i++) {
			char *hk = st_norm_key(p->header[i]);

			if (strcmp(hk, key) == 0) {
				p->fields[i] = f;
				found = true;
			}
			free(hk);
		}
		free(key);
		if (!found) {
			st_error_set(err, ST_EUSAGE, "--map: no column \"%s\" in "
				     "the header", item);
			ret = -1;
		}
	}
	free(copy);
	return ret;
}

static int
apply_defaults(struct import_plan *p, const struct st_import_opts *o,
	       struct st_error *err)
{
	for (size_t i = 0; i < o->ndefaults; i++) {
		const char *eq = strchr(o->defaults[i], '=');
		char *name;
		enum import_field f;

		if (!eq) {
			st_error_set(err, ST_EUSAGE, "--default \"%s\" is not "
				     "field=value", o->defaults[i]);
			return -1;
		}
		name = st_xstrndup(o->defaults[i], (size_t)(eq - o->defaults[i]));
		f = field_by_name(name);
		free(name);
		if (f <= F_CUSTOM) {
			st_error_set(err, ST_EUSAGE, "--default: unknown field in "
				     "\"%s\"", o->defaults[i]);
			return -1;
		}
		free(p->defaults[f]);
		p->defaults[f] = st_xstrdup(eq + 1);
	}
	return 0;
}

/* Does a header cell look like data rather than a name? */
static bool
looks_like_data(const char *s)
{
	bool empty;
	char *e = st_norm_email(s, &empty);
	char phone[ST_PHONE_MAX];
	bool data = e != NULL ||
		    st_phone_normalize(s, "AR", phone) == ST_PHONE_VALID;

	free(e);
	return data;
}

/*
 * Decide what every column is. A header that maps no phone or e-mail
 * column (after --map) cannot identify a lead: that is fatal, and said
 * with the header's names, or as "looks like data" when the first line
 * holds a phone or e-mail itself.
 */
int
import_plan_init(struct import_plan *p, const struct st_csv_record *hdr,
		 const struct st_import_opts *o, struct st_error *err)
{
	bool have_id = false;
	size_t n = hdr->nfields;

	memset(p, 0, sizeof(*p));
	/* A rejects file read back: its last two columns are ours. */
	if (n >= 2 && strcmp(hdr->fields[n - 2], "line") == 0 &&
	    strcmp(hdr->fields[n - 1], "reason") == 0)
		n -= 2;
	p->ncols = n;
	p->nheader = hdr->nfields;
	p->header = st_xcalloc(hdr->nfields + 1, sizeof(char *));
	p->fields = st_xcalloc(hdr->nfields + 1, sizeof(*p->fields));
	for (size_t i = 0; i < hdr->nfields; i++) {
		char *key;
		bool ad;

		p->header[i] = st_xstrdup(hdr->fields[i]);
		if (i >= n) {
			p->fields[i] = F_IGNORE;
			continue;
		}
		key = st_norm_key(hdr->fields[i]);
		p->fields[i] = field_by_header(key, &ad);
		p->ad_export = p->ad_export || ad;
		if (p->fields[i] == F_NONE)
			p->fields[i] = key[0] && !o->ignore_unknown ? F_EXTRA
								   : F_IGNORE;
		free(key);
	}
	if (o->map && apply_map(p, o->map, err) < 0)
		return -1;
	if (apply_defaults(p, o, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (p->fields[i] == F_TELEFONO || p->fields[i] == F_EMAIL)
			have_id = true;
	if (p->defaults[F_TELEFONO] || p->defaults[F_EMAIL])
		have_id = true;
	if (!have_id) {
		struct st_buf b = ST_BUF_INIT;
		bool data = false;

		for (size_t i = 0; i < n; i++) {
			st_buf_addf(&b, "%s\"%s\"", i ? ", " : "", hdr->fields[i]);
			data = data || looks_like_data(hdr->fields[i]);
		}
		if (data) {
			st_error_set(err, ST_EINVAL, "the first line looks like "
				     "data, not a header");
			st_error_hint(err, "Add a header row naming the columns "
				      "(nombre, telefono, email, ...).");
		} else {
			st_error_set(err, ST_EINVAL, "no phone or e-mail column in "
				     "the header");
			st_error_detail(err, "The header has: %s.",
					b.len ? b.data : "nothing");
			st_error_hint(err, "Name the columns, or map them: --map "
				      "'Celular=telefono'.");
		}
		st_buf_release(&b);
		return -1;
	}
	return 0;
}

/* ---- one record ---- */

/* COPY text escaping of one value. */
static void
copy_text(struct st_buf *b, const char *s)
{
	if (!s) {
		st_buf_addstr(b, "\\N");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\': st_buf_addstr(b, "\\\\"); break;
		case '\t': st_buf_addstr(b, "\\t"); break;
		case '\n': st_buf_addstr(b, "\\n"); break;
		case '\r': st_buf_addstr(b, "\\r"); break;
		default: st_buf_addch(b, *s); break;
		}
	}
}

/* A text[] literal, each element quoted. */
static char *
array_literal(char **items, size_t n)
{
	struct st_buf b = ST_BUF_INIT;

	st_buf_addch(&b, '{');
	for (size_t i = 0; i < n; i++) {
		st_buf_addstr(&b, i ? ",\"" : "\"");
		for (const char *s = items[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				st_buf_addch(&b, '\\');
			st_buf_addch(&b, *s);
		}
		st_buf_addch(&b, '"');
	}
	st_buf_addch(&b, '}');
	return st_buf_detach(&b);
}

static const char *
enum_value(const char *s, const char *const *allowed)
{
	const char *v = st_norm_enum(s, allowed);
	char *k;

	if (v)
		return v;
	k = st_norm_key(s);
	for (size_t i = 0; i < ST_ARRAY_SIZE(aliases) && !v; i++)
		if (strcmp(k, aliases[i].key) == 0)
			for (int j = 0; allowed[j] && !v; j++)
				if (strcmp(allowed[j], aliases[i].value) == 0)
					v = allowed[j];
	free(k);
	return v;
}

/*
 * The import's reading of an enumerated field ("estado", "tipo",
 * "tipo_propiedad", "operacion" or "moneda"): the allowed value s names,
 * ignoring case and accents and taking the usual aliases ("depto",
 * "alquilar", "dólares"), borrowed; NULL when it names none.
 */
const char *
import_enum(const char *field, const char *s)
{
	static const char *const ops[] = { "VENTA", "ALQUILER", NULL };
	static const char *const cur[] = { "USD", "ARS", NULL };
	static const struct {
		const char *field;
		const char *const *allowed;
	} enums[] = {
		{ "estado", estados }, { "tipo", tipos },
		{ "tipo_propiedad", tipos_propiedad }, { "operacion", ops },
		{ "moneda", cur },
	};

	for (size_t i = 0; i < ST_ARRAY_SIZE(enums); i++)
		if (strcmp(enums[i].field, field) == 0)
			return enum_value(s, enums[i].allowed);
	return NULL;
}

void
import_row_release(struct import_row *r)
{
	for (int i = 0; i < F_COUNT; i++)
		free(r->v[i]);
	free(r->zonas);
	free(r->tags);
	free(r->custom);
	memset(r, 0, sizeof(*r));
}

static void
set_field(struct import_row *r, enum import_field f, const char *value)
{
	free(r->v[f]);
	r->v[f] = st_xstrdup(value);
}

static int reject(struct import_row *r, const char *fmt, ...) ST_PRINTF(2, 3);

static int
reject(struct import_row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* Join values that several columns give for one field ("notas"). */
static void
add_field(struct import_row *r, enum import_field f, const char *value)
{
	if (!r->v[f] || f != F_NOTAS) {
		set_field(r, f, value);
	} else {
		char *j = st_xasprintf("%s\n%s", r->v[f], value);

		free(r->v[f]);
		r->v[f] = j;
	}
}

/* Copy the record's cells into r->v (raw, trimmed), custom into json. */
static int
gather(const struct import_plan *p, const struct st_csv_record *rec,
       struct import_row *r, json_t *custom)
{
	for (size_t i = 0; i < rec->nfields && i < p->ncols; i++) {
		enum import_field f = p->fields[i];
		char *v;

		if (f == F_IGNORE)
			continue;
		v = st_norm_name(rec->fields[i]);
		if (!v[0]) {
			free(v);
			continue;
		}
		if (f == F_EXTRA) {
			json_object_set_new(custom, p->header[i],
					    json_string(rec->fields[i]));
		} else if (f == F_CUSTOM) {
			json_error_t je;
			json_t *obj = json_loads(rec->fields[i], 0, &je);

			if (!json_is_object(obj)) {
				json_decref(obj);
				free(v);
				return reject(r, "invalid JSON object in column "
					      "\"%s\"", p->header[i]);
			}
			json_object_update_missing(custom, obj);
			json_decref(obj);
		} else {
			/* notes keep their line breaks */
			add_field(r, f, f == F_NOTAS ? rec->fields[i] : v);
		}
		free(v);
	}
	for (int f = F_NOMBRE; f < F_COUNT; f++)
		if (!r->v[f] && p->defaults[f])
			set_field(r, (enum import_field)f, p->defaults[f]);
	return 0;
}

static int
check_enums(struct import_row *r)
{
	if (r->v[F_TIPO]) {
		const char *t = enum_value(r->v[F_TIPO], tipos);
		const char *tp = t ? NULL : enum_value(r->v[F_TIPO],
						       tipos_propiedad);

		if (!t && !tp)
			return reject(r, "invalid tipo \"%s\"", r->v[F_TIPO]);
		if (tp && !r->v[F_TIPO_PROPIEDAD])
			set_field(r, F_TIPO_PROPIEDAD, tp);
		if (t)
			set_field(r, F_TIPO, t);
		else {
			free(r->v[F_TIPO]);
			r->v[F_TIPO] = NULL;
		}
	}
	if (r->v[F_TIPO_PROPIEDAD]) {
		const char *v = enum_value(r->v[F_TIPO_PROPIEDAD],
					   tipos_propiedad);

		if (!v)
			return reject(r, "invalid tipo_propiedad \"%s\"",
				      r->v[F_TIPO_PROPIEDAD]);
		set_field(r, F_TIPO_PROPIEDAD, v);
	}
	if (r->v[F_OPERACION]) {
		static const char *const ops[] = { "VENTA", "ALQUILER", NULL };
		const char *v = enum_value(r->v[F_OPERACION], ops);

		if (!v)
			return reject(r, "invalid operacion \"%s\"",
				      r->v[F_OPERACION]);
		set_field(r, F_OPERACION, v);
	}
	if (r->v[F_ESTADO]) {
		const char *v = enum_value(r->v[F_ESTADO], estados);

		if (!v)
			return reject(r, "invalid estado \"%s\"", r->v[F_ESTADO]);
		set_field(r, F_ESTADO, v);
	}
	return 0;
}

static int
check_money(struct import_row *r)
{
	struct st_money m;
	bool empty;

	if (r->v[F_PRESUPUESTO]) {
		if (st_norm_money(r->v[F_PRESUPUESTO], &m, &empty) < 0)
			return reject(r, "invalid presupuesto \"%s\"",
				      r->v[F_PRESUPUESTO]);
		if (m.has_min && !r->v[F_PRESUPUESTO_MIN])
			set_field(r, F_PRESUPUESTO_MIN, m.min);
		if (m.has_max && !r->v[F_PRESUPUESTO_MAX])
			set_field(r, F_PRESUPUESTO_MAX, m.max);
		if (m.currency[0] && !r->v[F_MONEDA])
			set_field(r, F_MONEDA, m.currency);
	}
	for (int f = F_PRESUPUESTO_MIN; f <= F_PRESUPUESTO_MAX; f++) {
		if (!r->v[f] || f == F_PRESUPUESTO)
			continue;
		if (st_norm_money(r->v[f], &m, &empty) < 0 || m.has_min == m.has_max)
			return reject(r, "invalid %s \"%s\"", field_names[f],
				      r->v[f]);
		if (m.currency[0] && !r->v[F_MONEDA])
			set_field(r, F_MONEDA, m.currency);
		set_field(r, (enum import_field)f, m.has_max ? m.max : m.min);
	}
	if (r->v[F_MONEDA]) {
		static const char *const cur[] = { "USD", "ARS", NULL };
		const char *v = enum_value(r->v[F_MONEDA], cur);

		if (!v)
			return reject(r, "invalid moneda \"%s\"", r->v[F_MONEDA]);
		set_field(r, F_MONEDA, v);
	}
	return 0;
}

static int
check_flags(struct import_row *r)
{
	static const enum import_field flags[] = { F_ES_CLIENTE, F_OPT_OUT };

	for (size_t i = 0; i < ST_ARRAY_SIZE(flags); i++) {
		int b;

		if (!r->v[flags[i]])
			continue;
		b = st_norm_bool(r->v[flags[i]]);
		if (b < 0)
			return reject(r, "invalid %s", field_names[flags[i]]);
		set_field(r, flags[i], b ? "t" : "f");
	}
	if (r->v[F_AMBIENTES]) {
		int a = st_norm_int(r->v[F_AMBIENTES]);
		char buf[16];

		if (a < 1 || a > 50)
			return reject(r, "invalid ambientes \"%s\"",
				      r->v[F_AMBIENTES]);
		snprintf(buf, sizeof(buf), "%d", a);
		set_field(r, F_AMBIENTES, buf);
	}
	return 0;
}

/* Identity: a valid phone or a valid e-mail, and any e-mail valid. */
static int
check_identity(struct import_row *r, const char *region)
{
	const char *tel = r->v[F_TELEFONO];
	bool empty;

	if (tel && strncmp(tel, "p:", 2) == 0) { /* ad exports write "p:+54..." */
		char *t = st_xstrdup(tel + 2);

		free(r->v[F_TELEFONO]);
		r->v[F_TELEFONO] = t;
		tel = t;
	}
	if (tel && st_phone_normalize(tel, region, r->e164) != ST_PHONE_VALID)
		r->e164[0] = '\0';
	if (r->v[F_EMAIL]) {
		char *e = st_norm_email(r->v[F_EMAIL], &empty);

		if (!e)
			return reject(r, "invalid e-mail \"%s\"", r->v[F_EMAIL]);
		free(r->v[F_EMAIL]);
		r->v[F_EMAIL] = e;
	}
	if (!r->e164[0] && !r->v[F_EMAIL]) {
		if (tel)
			return reject(r, "no usable identity: phone \"%s\" is not "
				      "a valid number and there is no e-mail", tel);
		return reject(r, "no usable identity: no phone and no e-mail");
	}
	return 0;
}

/* Name from first and last name when there is no full name. */
static void
join_name(struct import_row *r)
{
	if (!r->v[F_NOMBRE] && (r->v[F_FIRST] || r->v[F_LAST])) {
		char *n = st_xasprintf("%s%s%s", r->v[F_FIRST] ? r->v[F_FIRST] : "",
				       r->v[F_FIRST] && r->v[F_LAST] ? " " : "",
				       r->v[F_LAST] ? r->v[F_LAST] : "");

		r->v[F_NOMBRE] = n;
	}
}

/*
 * Turn a record into a row, or a reason (r->reason) to refuse it. The
 * caller checks the field count and the reader's own error first.
 */
int
import_row_build(const struct import_plan *p, const struct st_csv_record *rec,
		 const struct st_import_opts *o, struct import_row *r)
{
	json_t *custom = json_object();
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->line = rec->line;
	if (gather(p, rec, r, custom) < 0 || check_identity(r, o->region) < 0 ||
	    check_enums(r) < 0 || check_money(r) < 0 || check_flags(r) < 0)
		goto cleanup;
	join_name(r);
	if (p->ad_export && !r->v[F_ORIGEN])
		set_field(r, F_ORIGEN, "META_ADS");
	/* An explicit zone list wins; else the zone text, split. */
	if (r->v[F_ZONAS] || r->v[F_ZONA]) {
		char **z;
		size_t n = st_norm_tags(r->v[F_ZONAS] ? r->v[F_ZONAS]
						      : r->v[F_ZONA], &z);

		r->zonas = array_literal(z, n);
		st_norm_tags_free(z, n);
	}
	if (r->v[F_TAGS]) {
		char **t;
		size_t n = st_norm_tags(r->v[F_TAGS], &t);

		r->tags = array_literal(t, n);
		st_norm_tags_free(t, n);
	}
	if (json_object_size(custom) > 0)
		r->custom = json_dumps(custom, JSON_COMPACT | JSON_SORT_KEYS);
	ret = 0;
cleanup:
	json_decref(custom);
	return ret;
}

/*
 * The staging line (COPY text) of a row. grp is the merge key: the first
 * match key the row has ("p+549..." or "e...@..."), else its line, so rows
 * naming the same lead merge and the rest stand alone.
 */
void
import_row_copy_line(const struct import_row *r, const enum st_match_key *match,
		     const char *assigned_id, struct st_buf *b)
{
	char grp[512] = "";
	const char *const cols[] = {
		r->v[F_NOMBRE], r->v[F_TELEFONO], r->e164[0] ? r->e164 : NULL,
		r->v[F_EMAIL], r->v[F_ORIGEN], r->v[F_ESTADO], r->v[F_TIPO],
		r->v[F_OPERACION], r->v[F_TIPO_PROPIEDAD], r->v[F_ZONA],
		r->zonas, r->v[F_PRESUPUESTO_MIN], r->v[F_PRESUPUESTO_MAX],
		r->v[F_MONEDA], r->v[F_AMBIENTES], r->tags, r->v[F_NOTAS],
		r->custom, assigned_id, r->v[F_ES_CLIENTE], r->v[F_OPT_OUT],
	};

	for (int i = 0; i < 2 && match[i] && !grp[0]; i++) {
		if (match[i] == ST_MATCH_PHONE && r->e164[0])
			snprintf(grp, sizeof(grp), "p%s", r->e164);
		else if (match[i] == ST_MATCH_EMAIL && r->v[F_EMAIL])
			snprintf(grp, sizeof(grp), "e%.500s", r->v[F_EMAIL]);
	}
	if (!grp[0])
		snprintf(grp, sizeof(grp), "l%ld", r->line);
	st_buf_addf(b, "%ld\t", r->line);
	copy_text(b, grp);
	for (size_t i = 0; i < ST_ARRAY_SIZE(cols); i++) {
		st_buf_addch(b, '\t');
		copy_text(b, cols[i]);
	}
	st_buf_addch(b, '\n');
}

-- Generated leads for bench/tui: :leads leads over the four tenants of
-- slugs grande, norte, sur and oeste, half of them in grande. Spanish names
-- with accents and ñ, Argentine mobiles in E.164 (and as typed), e-mails,
-- estados, zonas, tags, created_at spread over the 3 years to 2026-11-01.
-- Run as a superuser, after the migrations; loads with the lead indexes
-- dropped and rebuilds them exactly as they were, then ANALYZEs.
\set ON_ERROR_STOP on
SET maintenance_work_mem = '512MB';
SET max_parallel_maintenance_workers = 2;

-- ten agents per tenant, so leads can be assigned
INSERT INTO strato.app_user (tenant_id, id, email, nombre, role)
SELECT t.id, 'agente' || g, 'agente' || g || '@' || t.slug || '.com.ar',
       (ARRAY['Martín Peña', 'Lucía Ibáñez', 'Joaquín Muñoz', 'Sofía Núñez',
              'Agustín Gómez', 'Valentina Suárez', 'Tomás Domínguez',
              'Camila Rodríguez', 'Nicolás Fernández', 'Julieta Pérez'])[g],
       CASE WHEN g = 1 THEN 'ADMIN' ELSE 'AGENT' END
FROM strato.tenant t, generate_series(1, 10) g
WHERE t.slug IN ('grande', 'norte', 'sur', 'oeste');

CREATE TEMP TABLE lead_idx AS
	SELECT indexname, indexdef FROM pg_indexes
	 WHERE schemaname = 'strato' AND tablename = 'lead'
	   AND indexname <> 'lead_pkey';
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT indexname FROM lead_idx LOOP
		EXECUTE format('DROP INDEX strato.%I', r.indexname);
	END LOOP;
END
$$;

CREATE TEMP TABLE ten AS
	SELECT (ARRAY['grande', 'norte', 'sur', 'oeste'])[k] AS slug, k,
	       (SELECT id FROM strato.tenant WHERE slug =
		(ARRAY['grande', 'norte', 'sur', 'oeste'])[k]) AS id
	FROM generate_series(1, 4) k;

INSERT INTO strato.lead (tenant_id, id, nombre, telefono, telefono_e164, email,
			 origen, estado, tipo, zona_interes, zonas, tags,
			 operacion, tipo_propiedad, presupuesto_min,
			 presupuesto_max, moneda, notas, es_cliente, opt_out,
			 assigned_to_id, created_at, updated_at)
SELECT t.id, 'bl' || lpad(s.i::text, 9, '0'),
       s.nom || ' ' || s.ape,
       CASE WHEN s.h % 5 = 0 THEN NULL
            ELSE '11 ' || substr(s.num, 1, 4) || '-' || substr(s.num, 5, 4) END,
       '+54911' || s.num,
       CASE WHEN s.h % 4 = 0 THEN NULL
            ELSE lower(strato.f_unaccent(split_part(s.nom, ' ', 1) || '.'
                 || replace(s.ape, ' ', ''))) || (s.i % 997) || '@'
                 || (ARRAY['gmail.com', 'hotmail.com', 'yahoo.com.ar',
                           'outlook.com', 'fibertel.com.ar'])[1 + s.h % 5] END,
       (ARRAY['META_ADS', 'WEB', 'WHATSAPP', 'REFERIDO', 'ZONAPROP',
              'ARGENPROP'])[1 + s.h % 6],
       (ARRAY['NUEVO', 'NUEVO', 'NUEVO', 'CONTACTADO', 'CONTACTADO',
              'CALIFICADO', 'VISITA_AGENDADA', 'NEGOCIACION', 'GANADO',
              'PERDIDO', 'PERDIDO'])[1 + (s.h / 7) % 11],
       (ARRAY['COMPRADOR', 'COMPRADOR', 'INQUILINO', 'INQUILINO', 'VENDEDOR',
              'LOCADOR', 'INVERSOR'])[1 + (s.h / 11) % 7],
       CASE WHEN s.h % 9 = 0 THEN s.zona END,
       ARRAY[s.zona] || CASE WHEN s.h % 3 = 0
            THEN ARRAY['Núñez'] ELSE '{}' END,
       CASE (s.h / 13) % 6 WHEN 0 THEN ARRAY['meta'] WHEN 1 THEN ARRAY['vip']
            WHEN 2 THEN ARRAY['meta', 'urgente'] ELSE '{}' END,
       CASE WHEN (s.h / 17) % 3 = 0 THEN 'ALQUILER' ELSE 'VENTA' END,
       (ARRAY['DEPARTAMENTO', 'DEPARTAMENTO', 'CASA', 'PH', 'LOCAL',
              'OFICINA', 'TERRENO', 'COCHERA'])[1 + (s.h / 19) % 8],
       CASE WHEN s.h % 2 = 0 THEN 50000 + (s.h % 300) * 1000 END,
       CASE WHEN s.h % 2 = 0 THEN 80000 + (s.h % 300) * 1500 END,
       CASE WHEN s.h % 2 = 0 THEN 'USD' END,
       CASE WHEN s.h % 10 = 0 THEN 'Busca 3 ambientes con balcón, '
            || 'cerca del subte' END,
       s.h % 50 = 0, s.h % 97 = 0,
       CASE WHEN s.h % 3 <> 0 THEN 'agente' || (1 + (s.h / 23) % 10) END,
       s.at, s.at + (s.h % 200) * interval '1 hour'
FROM (
	SELECT i, h,
	       (ARRAY['María José', 'Joaquín', 'Sofía', 'Agustín', 'Lucía',
		      'Martín', 'Valentina', 'Mateo', 'Camila', 'Santiago',
		      'Julieta', 'Tomás', 'Florencia', 'Nicolás', 'Ramón',
		      'Inés', 'Germán', 'Belén', 'Sebastián', 'Mónica',
		      'Héctor', 'Verónica', 'Julián', 'Ángeles', 'Iñaki',
		      'Gonzalo', 'Ana Inés', 'José Luis', 'Rocío', 'Matías'])
		[1 + h % 30] AS nom,
	       CASE WHEN h % 1000 = 7 THEN 'Iturbe'
		    ELSE (ARRAY['González', 'Rodríguez', 'Gómez', 'Fernández',
			'López', 'Díaz', 'Martínez', 'Pérez', 'García',
			'Sánchez', 'Romero', 'Sosa', 'Álvarez', 'Torres',
			'Ruiz', 'Ramírez', 'Flores', 'Acosta', 'Benítez',
			'Medina', 'Suárez', 'Herrera', 'Aguirre', 'Pereyra',
			'Gutiérrez', 'Giménez', 'Molina', 'Silva', 'Castro',
			'Rojas', 'Ortiz', 'Núñez', 'Luna', 'Juárez', 'Cabrera',
			'Ríos', 'Ferreyra', 'Godoy', 'Morales', 'Domínguez',
			'Peña', 'Ibáñez', 'Muñoz', 'D''Angelo', 'Quiroga',
			'Vázquez', 'Ledesma', 'Villalba', 'Castaño', 'Ojeda'])
		    [1 + (h / 31) % 50] END AS ape,
	       lpad(((i::bigint * 7919) % 100000000)::text, 8, '0') AS num,
	       (ARRAY['Palermo', 'Belgrano', 'Caballito', 'Almagro', 'Recoleta',
		      'Villa Crespo', 'Núñez', 'Colegiales', 'Villa Urquiza',
		      'San Telmo', 'Nueva Córdoba', 'Rosario Centro',
		      'Olivos', 'Vicente López', 'San Isidro', 'Martínez',
		      'Lanús', 'Banfield', 'La Plata', 'Tigre'])
		[1 + (h / 37) % 20] AS zona,
	       timestamptz '2023-11-01 00:00-03'
	       + (i::float8 / :leads) * interval '3 years'
	       + ((h % 3600) - 1800) * interval '1 second' AS at
	FROM (SELECT i, abs(hashint4(i)) AS h
	      FROM generate_series(1, :leads) i) q
) s
JOIN ten t ON t.k = CASE WHEN s.i % 2 = 0 THEN 1 ELSE 2 + (s.i / 2) % 3 END;

DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT indexdef FROM lead_idx LOOP
		EXECUTE r.indexdef;
	END LOOP;
END
$$;
ANALYZE strato.app_user;
ANALYZE strato.lead;

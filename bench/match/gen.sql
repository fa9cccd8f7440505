-- bench/match/gen.sql - :props properties and :leads leads for tenant
-- :'slug', run as superuser by run.sh. Deterministic (setseed), shaped like
-- a Buenos Aires catalogue: 70% sales, mostly flats, sales in USD and
-- rentals in ARS with a minority the other way, 85% available, published
-- over the last year; leads with varied preferences (some without
-- operation, type, budget or rooms).
SELECT setseed(0.42);

CREATE TEMP TABLE zonas AS
SELECT z, row_number() OVER () AS n FROM unnest(ARRAY['Palermo', 'Belgrano',
	'Recoleta', 'Caballito', 'Almagro', 'Villa Crespo', 'Núñez', 'Colegiales',
	'Villa Urquiza', 'Flores', 'San Telmo', 'Boedo', 'Barracas', 'Saavedra',
	'Coghlan', 'Chacarita', 'Villa Devoto', 'Puerto Madero', 'Retiro',
	'San Nicolás', 'Balvanera', 'Parque Patricios', 'Mataderos', 'Liniers',
	'Vicente López', 'Olivos', 'Martínez', 'San Isidro', 'Tigre', 'Quilmes',
	'Palermo Soho', 'Palermo Hollywood', 'Belgrano R', 'Villa del Parque',
	'Agronomía', 'Parque Chas', 'Monserrat', 'Constitución', 'La Boca',
	'Pompeya']) AS z;

INSERT INTO strato.property (tenant_id, codigo, titulo, descripcion, precio,
	moneda, operacion, tipo, zona, ambientes, superficie_m2, estado,
	publicado_at, created_at)
SELECT t.id, 'B' || g, 'Propiedad ' || g, 'Luminoso, al frente, con balcón.',
	CASE WHEN op = 'VENTA' AND usd THEN round((40000 + r1 * 560000)::numeric, -3)
	     WHEN op = 'VENTA' THEN round((40000 + r1 * 560000)::numeric * 1200, -3)
	     WHEN usd THEN round((300 + r1 * 2700)::numeric, -1)
	     ELSE round((200000 + r1 * 2300000)::numeric, -3) END,
	CASE WHEN usd THEN 'USD' ELSE 'ARS' END, op,
	CASE WHEN r2 < 0.5 THEN 'DEPARTAMENTO' WHEN r2 < 0.7 THEN 'CASA'
	     WHEN r2 < 0.8 THEN 'PH' WHEN r2 < 0.85 THEN 'LOCAL'
	     WHEN r2 < 0.9 THEN 'OFICINA' WHEN r2 < 0.94 THEN 'TERRENO'
	     WHEN r2 < 0.98 THEN 'COCHERA' ELSE 'OTRO' END,
	(SELECT z FROM zonas WHERE n = 1 + (g * 7919) % 40),
	1 + (g % 6), 30 + (g % 200),
	CASE WHEN r3 < 0.85 THEN 'DISPONIBLE' WHEN r3 < 0.9 THEN 'RESERVADA'
	     WHEN r3 < 0.95 THEN 'VENDIDA' ELSE 'ALQUILADA' END,
	now() - r4 * interval '365 days', now() - r4 * interval '365 days'
FROM strato.tenant t,
	LATERAL (SELECT g, random() AS r1, random() AS r2, random() AS r3,
		random() AS r4, CASE WHEN random() < 0.7 THEN 'VENTA'
		ELSE 'ALQUILER' END AS op, random() AS rc
		FROM generate_series(1, :props) AS g) AS s,
	LATERAL (SELECT (op = 'VENTA') = (rc < 0.9) AS usd) AS u
WHERE t.slug = :'slug';

INSERT INTO strato.lead (tenant_id, nombre, operacion, tipo_propiedad, zonas,
	zona_interes, presupuesto_min, presupuesto_max, moneda, ambientes)
SELECT t.id, 'Lead ' || g,
	CASE WHEN g % 10 = 0 THEN NULL WHEN g % 10 < 8 THEN 'VENTA'
	     ELSE 'ALQUILER' END,
	CASE WHEN g % 7 IN (0, 1) THEN NULL WHEN g % 7 < 5 THEN 'DEPARTAMENTO'
	     WHEN g % 7 = 5 THEN 'CASA' ELSE 'PH' END,
	ARRAY(SELECT z FROM zonas WHERE n IN (1 + g % 40, 1 + (g * 13) % 40)
	      AND g % 9 <> 0),
	CASE WHEN g % 9 = 0 THEN 'Caballito' END,
	CASE WHEN g % 5 = 0 THEN NULL WHEN g % 10 < 8 THEN 60000 + (g % 20) * 10000
	     ELSE 300000 + (g % 10) * 50000 END,
	CASE WHEN g % 5 = 0 THEN NULL WHEN g % 10 < 8 THEN 120000 + (g % 20) * 15000
	     ELSE 700000 + (g % 10) * 100000 END,
	CASE WHEN g % 10 < 8 THEN 'USD' ELSE 'ARS' END,
	CASE WHEN g % 3 = 0 THEN NULL ELSE 1 + g % 5 END
FROM strato.tenant t, generate_series(1, :leads) AS g
WHERE t.slug = :'slug';

ANALYZE strato.property;
ANALYZE strato.lead;

-- Demo leads, properties, an assistant and a campaign, loaded by
-- scripts/demo as the platform admin (strato_service), one tenant
-- transaction at a time: Row-Level Security checks every row.

BEGIN;
SELECT set_config('app.tenant_id', (SELECT id::text FROM strato.tenant WHERE slug = 'sur'), true);
INSERT INTO strato.assistant (tenant_id, nombre, prompt, config, voice_id)
VALUES (strato.current_tenant_id(), 'Astor',
        'Sos Astor, el asistente de la inmobiliaria. Respondé en castellano rioplatense.',
        '{"greeting": "¡Hola {{primer_nombre}}! Soy Astor 👋",
          "ranking": {"zona": 0.4, "precio": 0.35, "ambientes": 0.15, "recencia": 0.1}}',
        'EXAVITQu4vr4xnSDxMaL');
INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, email, origen, estado,
                         tipo, operacion, tipo_propiedad, zonas, presupuesto_max, moneda,
                         ambientes, tags, assigned_to_id)
SELECT strato.current_tenant_id(), v.nombre, v.tel, v.e164, v.email, v.origen, v.estado,
       v.tipo, v.op, v.tp, v.zonas, v.max, v.moneda, v.amb, v.tags,
       (SELECT id FROM strato.app_user WHERE email = 'joaquin@inmobiliaria-sur.com.ar')
FROM (VALUES
 ('María José Núñez', '+54 9 11 4567-8901', '+5491145678901', 'mjnunez@gmail.com', 'META_ADS',
  'NUEVO', 'COMPRADOR', 'VENTA', 'DEPARTAMENTO', ARRAY['Palermo'], 180000, 'USD', 3, ARRAY['meta']),
 ('Ñandú "El Rápido" SRL', '011 15 2345-6789', '+5491123456789', NULL, 'WEB',
  'CONTACTADO', 'INVERSOR', 'VENTA', 'LOCAL', ARRAY['Caballito', 'Almagro'], 400000, 'USD', NULL, ARRAY[]::text[]),
 ('Sofía D''Angelo', '+5493514567890', '+5493514567890', 'sofia.dangelo@hotmail.com', 'WHATSAPP',
  'VISITA_AGENDADA', 'INQUILINO', 'ALQUILER', 'DEPARTAMENTO', ARRAY['Nueva Córdoba'], 650000, 'ARS', 2, ARRAY['alquiler']),
 ('Cliente Histórico 🏡', '+54 9 223 555-0101', '+5492235550101', 'historico@example.com', 'REFERIDO',
  'GANADO', 'VENDEDOR', NULL, NULL, ARRAY[]::text[], NULL, NULL, NULL, ARRAY['cliente', 'fidelizar'])
) AS v(nombre, tel, e164, email, origen, estado, tipo, op, tp, zonas, max, moneda, amb, tags);
INSERT INTO strato.property (tenant_id, codigo, titulo, descripcion, precio, moneda, operacion,
                             tipo, zona, ambientes, dormitorios, superficie_m2)
VALUES
 (strato.current_tenant_id(), 'SUR-001', '3 ambientes luminoso con balcón', 'Piso alto, vista abierta, cochera.',
  175000, 'USD', 'VENTA', 'DEPARTAMENTO', 'Palermo', 3, 2, 75),
 (strato.current_tenant_id(), 'SUR-002', 'Local sobre avenida', 'Ideal inversión, renta actual.',
  390000, 'USD', 'VENTA', 'LOCAL', 'Caballito', NULL, NULL, 120),
 (strato.current_tenant_id(), 'SUR-003', '2 ambientes a estrenar', 'Amenities, apto mascotas.',
  600000, 'ARS', 'ALQUILER', 'DEPARTAMENTO', 'Nueva Córdoba', 2, 1, 48);
-- A few hundred more leads, so the lists page and the search has work.
INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, email, origen, estado,
                         tipo, operacion, tipo_propiedad, zonas, presupuesto_min, presupuesto_max,
                         moneda, ambientes, tags, created_at)
SELECT strato.current_tenant_id(),
       (ARRAY['Lucía', 'Martín', 'Sofía', 'Joaquín', 'Valentina', 'Agustín', 'Camila',
              'Tomás', 'Florencia', 'Nicolás', 'Josefina', 'Matías'])[1 + g % 12] || ' ' ||
       (ARRAY['González', 'Rodríguez', 'Fernández', 'López', 'Martínez', 'Pérez', 'Gómez',
              'Díaz', 'Sánchez', 'Romero', 'Muñoz', 'Peña', 'Ibáñez'])[1 + (g / 12) % 13],
       '+54 9 11 5' || lpad(g::text, 3, '0') || '-' || lpad((g * 37 % 10000)::text, 4, '0'),
       '+549115' || lpad(g::text, 3, '0') || lpad((g * 37 % 10000)::text, 4, '0'),
       'lead' || g || '@example.com',
       (ARRAY['META_ADS', 'WEB', 'WHATSAPP', 'REFERIDO'])[1 + g % 4],
       (ARRAY['NUEVO', 'NUEVO', 'CONTACTADO', 'CALIFICADO', 'NEGOCIACION', 'PERDIDO'])[1 + g % 6],
       'COMPRADOR', 'VENTA', 'DEPARTAMENTO',
       ARRAY[(ARRAY['Palermo', 'Belgrano', 'Caballito', 'Núñez', 'Recoleta', 'Almagro'])[1 + g % 6]],
       60000 + (g % 20) * 10000, 100000 + (g % 20) * 15000, 'USD', 1 + g % 4,
       CASE WHEN g % 5 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END,
       now() - g * interval '37 minutes'
  FROM generate_series(1, 300) AS g;
INSERT INTO strato.property (tenant_id, codigo, titulo, precio, moneda, operacion, tipo, zona,
                             ambientes, superficie_m2, publicado_at)
SELECT strato.current_tenant_id(), 'SUR-' || lpad((100 + g)::text, 3, '0'),
       (1 + g % 4) || ' ambientes en ' ||
       (ARRAY['Palermo', 'Belgrano', 'Caballito', 'Núñez', 'Recoleta', 'Almagro'])[1 + g % 6],
       70000 + (g * 7919 % 40) * 5000, 'USD', 'VENTA', 'DEPARTAMENTO',
       (ARRAY['Palermo', 'Belgrano', 'Caballito', 'Núñez', 'Recoleta', 'Almagro'])[1 + g % 6],
       1 + g % 4, 30 + (1 + g % 4) * 18, now() - g * interval '1 day'
  FROM generate_series(1, 60) AS g;
COMMIT;

BEGIN;
SELECT set_config('app.tenant_id', (SELECT id::text FROM strato.tenant WHERE slug = 'nunez'), true);
INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, email, origen, tipo, operacion,
                         tipo_propiedad, zonas, presupuesto_max, moneda, ambientes)
VALUES
 (strato.current_tenant_id(), 'Agustín Muñoz', '(0351) 15-456-7890', '+5493514567890', 'agus@munoz.com.ar',
  'META_ADS', 'COMPRADOR', 'VENTA', 'CASA', ARRAY['Villa Belgrano'], 250000, 'USD', 4),
 (strato.current_tenant_id(), 'Lucía Fernández', '11-2345-6789', '+5491123456789', NULL,
  'WEB', 'INQUILINO', 'ALQUILER', 'PH', ARRAY['Villa Crespo'], 450000, 'ARS', 3);
INSERT INTO strato.property (tenant_id, codigo, titulo, precio, moneda, operacion, tipo, zona, ambientes)
VALUES (strato.current_tenant_id(), 'NZ-10', 'Casa con jardín y pileta', 240000, 'USD', 'VENTA', 'CASA',
        'Villa Belgrano', 4);
COMMIT;

-- A generated single-tenant install for bench/legacy: :leads leads (1M by
-- default), twice as many messages, half as many conversations and events,
-- realistic text (accents, ñ), phones in every form agencies meet.
\set ON_ERROR_STOP on
INSERT INTO "User" (id, email, nombre, role, "updatedAt")
SELECT 'cuser' || lpad(i::text, 6, '0'), 'agente' || i || '@inmobiliaria.com.ar',
       'Agente Núñez ' || i, CASE WHEN i <= 5 THEN 'ADMIN' ELSE 'AGENT' END::"Role",
       '2024-01-01'::timestamp + i * interval '1 hour'
FROM generate_series(1, 50) i;

INSERT INTO "Assistant" (id, nombre, prompt, config, "updatedAt")
VALUES ('castor1', 'Astor', 'Sos Astor.', '{"max_fichas": 3}', '2024-01-01');

INSERT INTO "Lead" (id, nombre, telefono, email, origen, estado, tipo, presupuesto,
                    "zonaInteres", notas, tags, "esCliente", "optOut", "assignedToId",
                    "createdAt", "updatedAt")
SELECT 'clead' || lpad(i::text, 9, '0'),
       (ARRAY['María José', 'Joaquín', 'Sofía', 'Agustín', 'Lucía', 'Ñandú SRL'])[1 + i % 6]
         || ' ' || (ARRAY['Núñez', 'Ibáñez', 'D''Angelo', 'Muñoz', 'Peña'])[1 + i % 5] || ' ' || i,
       CASE i % 20
         WHEN 0 THEN NULL
         WHEN 1 THEN 'llamar tarde ' || i
         WHEN 2 THEN '011 15 ' || substr((20000000 + i)::text, 1, 4) || '-' || substr((20000000 + i)::text, 5, 4)
         WHEN 3 THEN '(0351) 15-' || substr((4000000 + i)::text, 1, 3) || '-' || substr((4000000 + i)::text, 4, 4)
         WHEN 4 THEN '11-' || substr((30000000 + i)::text, 1, 4) || '-' || substr((30000000 + i)::text, 5, 4)
         WHEN 5 THEN '+598 99 ' || lpad(i::text, 6, '0')
         WHEN 6 THEN '+5493' || (510000000 + i)
         ELSE '+54 9 11 ' || substr((50000000 + i)::text, 1, 4) || '-' || substr((50000000 + i)::text, 5, 4)
       END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'lead' || i || '@correo.com.ar' END,
       (ARRAY['META_ADS', 'WEB', 'WHATSAPP', 'REFERIDO'])[1 + i % 4],
       (ARRAY['NUEVO', 'CONTACTADO', 'CALIFICADO', 'VISITA_AGENDADA', 'NEGOCIACION', 'GANADO', 'PERDIDO'])[1 + i % 7]::"LeadEstado",
       (ARRAY['COMPRADOR', 'VENDEDOR', 'INQUILINO', 'LOCADOR', 'INVERSOR'])[1 + i % 5]::"LeadTipo",
       50000 + (i % 400) * 1000,
       (ARRAY['Palermo', 'Caballito, Almagro', 'Nueva Córdoba', 'Belgrano', NULL])[1 + i % 5],
       CASE WHEN i % 10 = 0 THEN 'Busca 3 ambientes,
con balcón' END,
       CASE WHEN i % 4 = 0 THEN ARRAY['meta', 'palermo'] ELSE ARRAY[]::text[] END,
       i % 50 = 0, i % 97 = 0,
       'cuser' || lpad((1 + i % 50)::text, 6, '0'),
       '2023-01-01'::timestamp + i * interval '17 seconds',
       '2023-01-01'::timestamp + i * interval '17 seconds' + interval '3 days'
FROM generate_series(1, :leads) i;

INSERT INTO "Conversation" (id, "leadId", "assistantId", canal, "externalId", "createdAt", "updatedAt")
SELECT 'cconv' || lpad(i::text, 9, '0'), 'clead' || lpad((2 * i)::text, 9, '0'), 'castor1',
       'WHATSAPP', 'ext' || i, '2024-01-01'::timestamp + i * interval '1 minute',
       '2024-01-02'::timestamp + i * interval '1 minute'
FROM generate_series(1, :leads / 2) i;

INSERT INTO "Message" (id, "conversationId", direccion, contenido, tipo, "externalId", estado, "createdAt")
SELECT 'cmsg' || lpad(i::text, 10, '0'), 'cconv' || lpad((1 + (i - 1) / 4)::text, 9, '0'),
       CASE WHEN i % 2 = 0 THEN 'ENTRANTE' ELSE 'SALIENTE' END::"Direccion",
       '¡Hola! ¿Sigue disponible el depto de 3 ambientes en Palermo? #' || i,
       'TEXT', 'wamid.' || i, CASE WHEN i % 2 = 0 THEN 'RECEIVED' ELSE 'DELIVERED' END,
       '2024-01-01'::timestamp + i * interval '13 seconds'
FROM generate_series(1, :leads * 2) i;

INSERT INTO "Event" (id, "leadId", "userId", tipo, titulo, fecha, notas, "createdAt")
SELECT 'cevt' || lpad(i::text, 9, '0'), 'clead' || lpad((2 * i - 1)::text, 9, '0'),
       'cuser' || lpad((1 + i % 50)::text, 6, '0'),
       (ARRAY['LLAMADA', 'VISITA', 'REUNION', 'NOTA', 'TAREA'])[1 + i % 5]::"EventTipo",
       'Visita depto ' || i, '2024-06-01'::timestamp + i * interval '7 minutes',
       CASE WHEN i % 3 = 0 THEN 'Llevar llaves' END, '2024-05-01'::timestamp + i * interval '1 minute'
FROM generate_series(1, :leads / 2) i;

INSERT INTO "WhatsAppTemplate" (id, nombre, categoria, contenido, variables, estado, "updatedAt")
SELECT 'ctpl' || i, 'plantilla_' || i, 'MARKETING', 'Hola {{1}}, novedades en {{2}}',
       '["nombre", "zona"]', 'APPROVED', '2024-01-01'
FROM generate_series(1, 10) i;

INSERT INTO "WhatsAppSync" (id, "leadId", "waId", estado, "createdAt")
SELECT 'csync' || lpad(i::text, 9, '0'), 'clead' || lpad((5 * i)::text, 9, '0'),
       '549' || (1100000000 + i), 'SYNCED', '2024-01-01'::timestamp + i * interval '1 minute'
FROM generate_series(1, :leads / 5) i;

ANALYZE;

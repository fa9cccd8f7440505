SET LOCAL ROLE strato_owner;
DROP TABLE strato.import_run;
DROP FUNCTION strato.stamp_import_run();
DROP TABLE strato.tenant_integration;
DROP TABLE strato.campaign_send;
DROP TABLE strato.campaign;

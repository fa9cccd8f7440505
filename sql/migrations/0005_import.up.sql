-- 0005 import: e-mails match case-insensitively (an import lower-cases
-- them; a legacy install may not have), so matching needs this index.
SET LOCAL ROLE strato_owner;
CREATE INDEX lead_email_lower ON strato.lead (tenant_id, lower(email))
	WHERE email IS NOT NULL;

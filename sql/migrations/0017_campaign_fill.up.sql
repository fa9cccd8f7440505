-- 0017 campaign_fill: the send ledger of a large audience is written in
-- parts, beside the sending, instead of in one statement before it.
--
-- campaign.filling_occurrence: the occurrence whose ledger is still
-- being written (NULL when none is). Set when a run starts an
-- occurrence it cannot fill in one go; cleared by the part that finds no
-- lead left to add. A run that finds it set (the last one stopped or
-- died half-way) goes on filling from where the ledger ends. The
-- audience of an occurrence is the leads that existed when it started
-- (lead.created_at <= campaign.started_at), so leads added meanwhile are
-- not swept in however long the filling takes.
SET LOCAL ROLE strato_owner;

ALTER TABLE strato.campaign ADD COLUMN filling_occurrence integer;

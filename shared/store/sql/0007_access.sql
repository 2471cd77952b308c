-- Access control (docs/contract.md §5): when a user's password, role or sites last changed (tokens issued
-- before that stop working), and the site a contract belongs to (NULL: admins only).
-- Instants are INTEGER milliseconds since the Unix epoch (UTC).

ALTER TABLE users ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE users SET changed_at = created_at;

-- Who sees a site: the visibility rule looks users up by site, site deletion unassigns by site.
CREATE INDEX user_sites_by_site ON user_sites(site_id, username);

ALTER TABLE contracts ADD COLUMN site_id TEXT REFERENCES sites(id);
CREATE INDEX contracts_by_site ON contracts(site_id, contract_number);

-- The energy counters the listener publishes for Home Assistant's Energy dashboard (docs/contract.md §4.6,
-- ems/domain/energy_totals.h): per figure, what was last computed from the stored energy and the
-- offset added so the published value never decreases. A site's figures have device_id ''; a
-- device's row outlives the device, so a device deleted and created again under the same id
-- (Home Assistant keeps its statistics by that id) goes on from where it was.
CREATE TABLE energy_counters (
  site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  device_id  TEXT NOT NULL,
  figure     TEXT NOT NULL,
  counted_wh REAL NOT NULL,
  offset_wh  REAL NOT NULL,
  PRIMARY KEY (site_id, device_id, figure)
) WITHOUT ROWID;

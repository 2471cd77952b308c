// JSON encoders of site energy answers (docs/contract.md §6.4), also the payload of the retained
// `{p}/sites/{site}/summary` topic (§4.3).
//
// Power and energy figures are rounded to 3 decimals (mW, mWh) so sums of doubles print as a
// user would write them (1830.5, not 1830.4999999999998). Instants are RFC 3339 UTC.
#pragma once

#include <span>
#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/domain/energy.h"
#include "ems/domain/rollup.h"

namespace ems::codec {

// {"site_id", "ts", "produced_w", "consumed_w", "net_w", "storage": [{"device_id", "type",
// "capacity_wh", "soc_pct", "stored_wh"}], "devices_reporting", "devices_stale"}; unknown
// capacity / soc / stored energy are null.
Json EncodeEnergySummary(const EnergySummary& summary);

// GET /api/v1/energy/summary: EncodeEnergySummary's figures of the total, with "sites" (their
// count) in place of "site_id".
Json EncodeFleetEnergySummary(const FleetEnergySummary& fleet);

// {"site_id", "interval", "points": [{"ts", "produced_wh", "consumed_wh", "net_wh"}]}.
Json EncodeEnergySeries(std::string_view site_id, Interval interval,
                        std::span<const EnergyBucket> buckets);

}  // namespace ems::codec

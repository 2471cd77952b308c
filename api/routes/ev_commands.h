// The EV schedule commands (docs/contract.md §6.6) as the JSON routes (schedule_routes.cpp) and the
// dashboard's buttons (api/pages/) both run them: same lookup, same access rule
// (SiteAction::kOperateEvs), same re-planning, storing and retained publishing.
#pragma once

#include <string>

#include "api/http.h"

namespace ems::api {

enum class EvCommand { kPause, kResume, kOverride };

// Runs `command` on the EV `id` the caller sees (else 404) and may operate (else 403); returns
// the new schedule view, as published. kOverride fails kConflict (409) when the EV is away.
Json RunEvCommand(ApiContext& ctx, const Principal& caller, const std::string& id,
                  EvCommand command);

// Sets whether the EV is at home; returns {"device_id", "is_at_home", "state"}.
Json SetEvAtHome(ApiContext& ctx, const Principal& caller, const std::string& id, bool at_home);

}  // namespace ems::api

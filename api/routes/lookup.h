// The objects routes address by id, looked up as the caller may see them (SPEC §5): a site or
// device of a site the caller may not see fails kNotFound with the very message an unknown one
// gets ("Site x not found.", "Device x not found."), so no answer tells that it exists. The rule
// itself is the store's (Visibility, applied in SQL); these only turn "not visible" into the
// route's failure, in one place for every route.
#pragma once

#include <string>

#include "api/http.h"

namespace ems::api {

store::Site VisibleSite(store::Store& store, const std::string& id, const Principal& caller);
Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller);

}  // namespace ems::api

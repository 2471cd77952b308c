// The objects routes and pages address by id, looked up as the caller may see them
// (docs/contract.md §5): a site or device of a site the caller may not see fails kNotFound with the
// very message an unknown one gets ("Site x not found.", "Device x not found."), so no answer tells
// that it exists. The rule itself is the store's (Visibility, applied in SQL); these only turn "not
// visible" into the route's failure, in one place for every route and page.
//
// ReadVisible and ChangeVisible are the one way to read or change such an object: the lookup
// and what follows it in one transaction, so the answer is one consistent state.
//
//   const auto site = ReadVisible(store, [&] { return VisibleSite(store, id, caller); },
//                                 [&](const store::Site& s) { return Render(s, store); });
//   ChangeVisible(store, caller, SiteAction::kOperateEvs,
//                 [&] { return VisibleEv(store, id, caller); }, [&](const StoredEv& ev) { ... });
#pragma once

#include <string>

#include "api/http.h"
#include "ems/store/ev_loader.h"

namespace ems::api {

store::Site VisibleSite(store::Store& store, const std::string& id, const Principal& caller);
Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller);
// An `ev` device; another device answers 404 "Device x is not an EV." (it has no schedule).
store::StoredEv VisibleEv(store::Store& store, const std::string& id, const Principal& caller);

// `read(find())` in one consistent snapshot of `store`. `find` fails kNotFound for what the
// caller may not see; any failure rolls back and becomes the route's answer.
template <class Find, class Read>
auto ReadVisible(store::Store& store, Find&& find, Read&& read) {
  auto snapshot = store.Begin(store::TxMode::kRead);
  auto value = read(find());
  snapshot.Commit();
  return value;
}

// `change(find())` in one write transaction, committed, once the caller may do `action` on the
// object found (else kForbidden: what the caller cannot see is a 404, what it sees but may not
// change a 403).
template <class Find, class Change>
auto ChangeVisible(store::Store& store, const Principal& caller, SiteAction action, Find&& find,
                   Change&& change) {
  auto tx = store.Begin(store::TxMode::kWrite);
  auto object = find();
  caller.Require(action);
  auto value = change(object);
  tx.Commit();
  return value;
}

}  // namespace ems::api

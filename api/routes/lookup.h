// The objects routes and pages address by id, looked up as the caller may see them
// (docs/contract.md §5): a site or device of a site the caller may not see fails kNotFound with the
// very message an unknown one gets ("Site x not found.", "Device x not found."), so no answer tells
// that it exists. The rule itself is the store's (Visibility, applied in SQL); these only turn "not
// visible" into the route's failure, in one place for every route and page.
//
// ReadVisible and ChangeVisible are the one way to read or change such an object: the lookup,
// the role check and what follows in one transaction, so the answer is one consistent state.
// Routes that answer from several reads without one object (lists, creations) use InSnapshot and
// InWriteTransaction, the same transactions without the lookup. A route that answers from one
// repository call needs none: that call is one statement, with the visibility rule in its SQL.
//
//   const auto site = ReadVisible(store, [&] { return VisibleSite(store, id, caller); },
//                                 [&](const store::Site& s) { return Render(s, store); });
//   ChangeVisible(store, caller, SiteAction::kOperateEvs,
//                 [&] { return VisibleEv(store, id, caller); }, [&](const StoredEv& ev) { ... });
#pragma once

#include <string>
#include <type_traits>

#include "api/http.h"
#include "ems/store/ev_loader.h"

namespace ems::api {

store::Site VisibleSite(store::Store& store, const std::string& id, const Principal& caller);
Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller);
// An `ev` device; another device answers 404 "Device x is not an EV." (it has no schedule).
store::StoredEv VisibleEv(store::Store& store, const std::string& id, const Principal& caller);

// An ownerless station (OCPP charger) is a device of a site: the same rule, and an unknown,
// hidden or non-OCPP id answers 404 "Station x not found.".
Device VisibleStation(store::Store& store, const std::string& id, const Principal& caller);
// A contract the caller may see (of a visible site, or siteless for admins); else 404.
Contract VisibleContract(store::Store& store, const std::string& number, const Principal& caller);

template <class T>
inline constexpr bool kIsResult = false;
template <class T>
inline constexpr bool kIsResult<Result<T>> = true;

// `work()` in one transaction of `mode`, committed when it returns (a void `work` too) and rolled
// back when it throws or returns a failed Result.
template <class Work>
auto InTransaction(store::Store& store, store::TxMode mode, Work& work) {
  auto tx = store.Begin(mode);
  if constexpr (std::is_void_v<decltype(work())>) {
    work();
    tx.Commit();
  } else {
    auto value = work();
    if constexpr (kIsResult<decltype(value)>) {
      if (!value) return value;
    }
    tx.Commit();
    return value;
  }
}

// `read()` in one consistent snapshot of `store`: what a route answers from several reads. Any
// failure rolls back and becomes the route's answer.
template <class Read>
auto InSnapshot(store::Store& store, Read&& read) {
  return InTransaction(store, store::TxMode::kRead, read);
}

// `change()` in one write transaction, committed when it returns; any failure rolls it back.
template <class Change>
auto InWriteTransaction(store::Store& store, Change&& change) {
  return InTransaction(store, store::TxMode::kWrite, change);
}

// `read(find())` in one consistent snapshot of `store`. `find` fails kNotFound for what the
// caller may not see.
template <class Find, class Read>
auto ReadVisible(store::Store& store, Find&& find, Read&& read) {
  return InSnapshot(store, [&] { return read(find()); });
}

// `change(find())` in one write transaction, committed, once the caller may do `action` on the
// object found (else kForbidden: what the caller cannot see is a 404, what it sees but may not
// change a 403).
template <class Find, class Change>
auto ChangeVisible(store::Store& store, const Principal& caller, SiteAction action, Find&& find,
                   Change&& change) {
  return InWriteTransaction(store, [&] {
    const auto object = find();
    caller.Require(action);
    return change(object);
  });
}

}  // namespace ems::api

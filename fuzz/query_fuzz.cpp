// Query strings and cursors, as every list and series route reads them (docs/contract.md §6): the
// input is the part of a URL after '?'.
#include "api/http.h"
#include "ems/domain/rollup.h"
#include "ems/domain/session.h"
#include "ems/store/contract_repository.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  httplib::Request req;
  httplib::detail::parse_query_text(std::string(fuzz::Text(data, size)), req.params);
  const auto check = [](auto&& read) {
    try {
      read();
    } catch (const api::RouteFailure& f) {
      const int status = api::HttpStatus(f.reject.code);
      fuzz::Require((status == 400 || status == 422) && !f.reject.message.empty());
    }
  };
  check([&] { (void)api::QueryLimit(req); });
  check([&] { (void)api::QueryRange(req); });
  check([&] { (void)api::QueryId(req, "site_id"); });
  check([&] { (void)api::QuerySeriesRange(req); });
  check([&] { (void)api::QueryInterval(req); });
  check([&] { (void)api::QueryAgg(req); });
  check([&] { (void)api::QuerySeriesWindow(req); });
  check([&] { (void)api::QueryCursor<std::string>(req); });
  check([&] { (void)api::QueryCursor<std::int64_t>(req); });
  check([&] { (void)api::QueryCursor<store::SessionCursor>(req); });
  check([&] { (void)api::QueryCursor<store::ContractEventCursor>(req); });
  for (const auto& [name, value] : req.params) {
    (void)ParseInterval(value);
    (void)ParseAgg(value);
    (void)ParseSessionStatus(value);
    (void)store::ParseContractEventCursor(value);
  }
  return 0;
}

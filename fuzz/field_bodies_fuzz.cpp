// Request bodies read field by field through the API's BodyObject: POST /api/v1/auth/login
// {"username", "password"} and PUT /api/v1/devices/{ev}/state {"is_at_home"} (docs/contract.md §5,
// §6.6).
#include "api/http.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  httplib::Request req;
  req.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    const auto body = api::BodyObject(req);
    (void)codec::RequiredString(body, "username", ErrorCode::kInvalidLogin);
    (void)codec::RequiredString(body, "password", ErrorCode::kInvalidLogin);
    (void)codec::RequiredBool(body, "is_at_home", ErrorCode::kInvalidState);
  } catch (const api::RouteFailure& f) {
    fuzz::Require(api::HttpStatus(f.reject.code) == 400 && !f.reject.message.empty());
  }
  return 0;
}

// The body of POST /api/v1/subscriptions and PUT /api/v1/subscriptions/{id} (docs/contract.md
// §6.3). What decodes, encoded as a subscription, decodes again to the same spec.
#include "ems/codec/subscription_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  if (const auto spec = codec::DecodeSubscriptionBody(fuzz::Text(data, size))) {
    const Subscription stored{"sub-0",       "fuzz",        spec->name,
                              spec->metrics, FromMillis(0), FromMillis(0)};
    fuzz::Require(codec::DecodeSubscriptionBody(codec::EncodeSubscription(stored).dump()) == *spec);
  }
  return 0;
}

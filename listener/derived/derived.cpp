#include "listener/derived/derived.h"

#include "listener/derived/energy_totals_publisher.h"
#include "listener/derived/home_assistant_publisher.h"
#include "listener/derived/retention.h"
#include "listener/derived/schedule_publisher.h"
#include "listener/derived/summary_publisher.h"

namespace ems::listener {

std::vector<std::unique_ptr<DerivedPublisher>> MakeDerivedPublishers(store::Store& store,
                                                                     const IngestOptions& options,
                                                                     PublishFn publish) {
  std::vector<std::unique_ptr<DerivedPublisher>> out;
  out.push_back(std::make_unique<ScheduleDerivedPublisher>(store, options, publish));
  out.push_back(std::make_unique<SummaryDerivedPublisher>(store, options, publish));
  out.push_back(std::make_unique<EnergyTotalsPublisher>(store, options, publish));
  if (options.home_assistant) {
    out.push_back(std::make_unique<HomeAssistantPublisher>(store, options, publish));
  }
  out.push_back(std::make_unique<RawRetention>(store, options));
  return out;
}

}  // namespace ems::listener

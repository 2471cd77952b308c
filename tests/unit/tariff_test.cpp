// Prices with validity (docs/contract.md §4.1, ems/domain/tariff.h): what a site's price history
// becomes as tariffs arrive.
#include "ems/domain/tariff.h"

#include <gtest/gtest.h>

#include "support.h"

namespace ems {
namespace {

using std::chrono::hours;
using testing::At;

const Timestamp kH = At("2026-11-21T10:00:00Z");

// `n` hourly prices from kH + `first` hours, each `price`.
std::vector<TariffPrice> Hourly(int first, int n, double price) {
  std::vector<TariffPrice> prices;
  for (int h = first; h < first + n; ++h)
    prices.push_back({kH + hours(h), kH + hours(h + 1), price});
  return prices;
}

std::vector<TariffPrice> Concat(std::vector<TariffPrice> a, const std::vector<TariffPrice>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(TariffMergeTest, APriceThatBeganBeforeANewTariffArrivedStaysWhole) {
  const Tariff stored{"EUR", Hourly(0, 6, 0.20)};    // 10:00–16:00
  const Tariff incoming{"EUR", Hourly(2, 6, 0.50)};  // 12:00–18:00, arriving at 13:30
  const Tariff merged = MergeTariff(stored, incoming, kH + hours(3) + std::chrono::minutes(30));
  // 10, 11, 12 and 13 (begun at 13:30) keep 0.20; 14–18 come from the new tariff.
  EXPECT_EQ(merged, (Tariff{"EUR", Concat(Hourly(0, 4, 0.20), Hourly(4, 4, 0.50))}));
}

TEST(TariffMergeTest, TheNewTariffFillsPastTimeNoStoredPriceCovers) {
  // Stored: 12:00–13:00 only. A tariff for 10:00–16:00 arriving at 14:00 prices the gap before
  // 12:00 and the time from 13:00 on; 12:00 keeps what was valid.
  const Tariff stored{"EUR", Hourly(2, 1, 0.20)};
  const Tariff incoming{"EUR", {{kH, kH + hours(6), 0.40}}};
  const Tariff merged = MergeTariff(stored, incoming, kH + hours(4));
  EXPECT_EQ(merged, (Tariff{"EUR",
                            {{kH, kH + hours(2), 0.40},
                             {kH + hours(2), kH + hours(3), 0.20},
                             {kH + hours(3), kH + hours(6), 0.40}}}));
}

TEST(TariffMergeTest, FuturePricesAreReplacedAndDroppedOnesGo) {
  const Tariff stored{"EUR", Hourly(0, 8, 0.20)};
  // Arriving at 10:00 sharp: nothing had begun yet, the new tariff decides everything; the hours
  // after 12:00 it does not price are no longer priced.
  const Tariff incoming{"EUR", Hourly(0, 2, 0.30)};
  EXPECT_EQ(MergeTariff(stored, incoming, kH), incoming);
  // Empty prices: the history stays, the future is unpriced.
  EXPECT_EQ(MergeTariff(stored, Tariff{"EUR", {}}, kH + hours(2)),
            (Tariff{"EUR", Hourly(0, 2, 0.20)}));
}

TEST(TariffMergeTest, TheSameTariffAgainAtAnyLaterArrivalChangesNothing) {
  const Tariff incoming{"EUR", Concat(Hourly(0, 3, 0.20), {{kH + hours(3), kH + hours(5), 0.10}})};
  const Tariff first = MergeTariff(Tariff{"EUR", {}}, incoming, kH + hours(1));
  EXPECT_EQ(first, incoming);
  for (const auto later : {hours(1), hours(2), hours(4), hours(9)}) {
    EXPECT_EQ(MergeTariff(first, incoming, kH + later), first) << later.count();
  }
  // With the window the listener reads: only prices that end after TariffUpdateFrom.
  EXPECT_EQ(TariffUpdateFrom(incoming, kH + hours(4)), kH);
  EXPECT_EQ(TariffUpdateFrom(Tariff{"EUR", {}}, kH + hours(4)), kH + hours(4));
}

TEST(TariffMergeTest, AnotherCurrencyStartsTheHistoryAgain) {
  const Tariff stored{"EUR", Hourly(0, 6, 0.20)};
  const Tariff incoming{"SEK", Hourly(2, 2, 2.5)};
  EXPECT_EQ(MergeTariff(stored, incoming, kH + hours(3)), incoming);
}

}  // namespace
}  // namespace ems

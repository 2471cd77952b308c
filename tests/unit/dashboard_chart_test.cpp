// The dashboard's pure parts: HTML escaping (api/html.h) and the inline SVG charts
// (api/pages/chart.h): local-time axes across DST changes, units, gaps, escaping, empty data.
#include <gtest/gtest.h>

#include <regex>

#include "api/html.h"
#include "api/pages/chart.h"
#include "api/pages/page.h"
#include "support.h"

namespace ems::api {
namespace {

using chart::Line;
using chart::TimeChart;
using testing::At;

// Every x-axis label of a chart with its x position, in order.
std::vector<std::pair<std::string, double>> XLabels(const std::string& svg) {
  static const std::regex text(R"re(<text class="xt" x="([0-9.]+)" y="[0-9.]+">([^<]*)</text>)re");
  std::vector<std::pair<std::string, double>> out;
  for (std::sregex_iterator it(svg.begin(), svg.end(), text), end; it != end; ++it) {
    out.emplace_back((*it)[2].str(), std::stod((*it)[1].str()));
  }
  return out;
}

std::vector<std::string> Labels(const std::string& svg) {
  std::vector<std::string> out;
  for (const auto& [label, x] : XLabels(svg)) out.push_back(label);
  return out;
}

double XOf(const std::string& svg, const std::string& label) {
  for (const auto& [l, x] : XLabels(svg)) {
    if (l == label) return x;
  }
  ADD_FAILURE() << "no label " << label;
  return 0;
}

TimeChart Day(Timestamp to, const std::string& tz) {
  return {"power", "W", to - std::chrono::hours(24), to, tz, std::chrono::minutes(30), {}};
}

TEST(HtmlEscapeTest, EscapesEveryCharacterThatEndsTextOrAnAttribute) {
  EXPECT_EQ(Escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(Escape(R"("><img src=x onerror='a'>&)"),
            "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&amp;");
  EXPECT_EQ(Escape("Solar roof 3 kW"), "Solar roof 3 kW");
  EXPECT_EQ(UrlEncode("a b/&é"), "a%20b%2F%26%C3%A9");
}

TEST(PageHelpersTest, LocalPathsOnlyAndFormats) {
  EXPECT_EQ(pages::LocalPath("/sites/a?x=1", "/"), "/sites/a?x=1");
  EXPECT_EQ(pages::LocalPath("//evil.example/", "/"), "/");
  EXPECT_EQ(pages::LocalPath("/\\evil.example", "/"), "/");
  EXPECT_EQ(pages::LocalPath("https://evil.example/", "/"), "/");
  EXPECT_EQ(pages::Power(1234.4), "1.23 kW");
  EXPECT_EQ(pages::Power(-850.2), "-850 W");
  EXPECT_EQ(pages::Power(-0.2), "0 W");
  EXPECT_EQ(pages::Energy(12345), "12.3 kWh");
  EXPECT_EQ(pages::LocalTime(At("2026-07-01T10:00:00Z"), "Europe/Berlin"),
            "2026-07-01 12:00:00 CEST");
}

TEST(ChartTest, HourLabelsFollowTheSiteClock) {
  // 2026-07-01 in Berlin (UTC+2): midnight local is 22:00 UTC the day before.
  const auto svg = RenderTimeChart(Day(At("2026-07-01T22:00:00Z"), "Europe/Berlin"));
  EXPECT_EQ(Labels(svg), (std::vector<std::string>{"07-01", "03:00", "06:00", "09:00", "12:00",
                                                   "15:00", "18:00", "21:00"}));
  // Three hours are an eighth of the width (648 units of plot from x = 60).
  EXPECT_NEAR(XOf(svg, "03:00") - XOf(svg, "07-01"), 648.0 / 8, 0.2);
}

TEST(ChartTest, SpringForwardDayHasTwentyThreeHours) {
  // Berlin, 2026-03-29: 02:00 CET became 03:00 CEST (01:00 UTC). The 24 hours up to 23:00 UTC
  // cover the whole local day and an hour of the next.
  const auto svg = RenderTimeChart(Day(At("2026-03-29T23:00:00Z"), "Europe/Berlin"));
  const auto labels = Labels(svg);
  EXPECT_EQ(labels.front(), "03-29");
  EXPECT_EQ(std::count(labels.begin(), labels.end(), "03:00"), 1);
  // Local midnight and 03:00 CEST are two real hours apart, not three.
  EXPECT_NEAR(XOf(svg, "03:00") - XOf(svg, "03-29"), 648.0 * 2 / 24, 0.2);
  // The next local midnight comes 23 hours after this one.
  EXPECT_NEAR(XOf(svg, "03-30") - XOf(svg, "03-29"), 648.0 * 23 / 24, 0.2);
}

TEST(ChartTest, FallBackDayHasTwentyFiveHours) {
  // Berlin, 2026-10-25: 03:00 CEST became 02:00 CET (01:00 UTC). Local midnight: 22:00 UTC.
  const auto svg = RenderTimeChart(Day(At("2026-10-25T22:00:00Z"), "Europe/Berlin"));
  const auto labels = Labels(svg);
  EXPECT_EQ(labels.front(), "10-25");
  // Midnight to 03:00 CET is four real hours; the day ends after 25, past the chart's end.
  EXPECT_NEAR(XOf(svg, "03:00") - XOf(svg, "10-25"), 648.0 * 4 / 24, 0.2);
  EXPECT_EQ(std::count(labels.begin(), labels.end(), "10-26"), 0);
  EXPECT_EQ(labels.back(), "21:00");
}

TEST(ChartTest, LongRangesAreLabelledByLocalDay) {
  TimeChart c = Day(At("2026-10-30T23:00:00Z"), "Europe/Berlin");
  c.from = c.to - std::chrono::hours(7 * 24);
  const auto labels = Labels(RenderTimeChart(c));
  // The local day of `from` began before it: the first label is the next midnight.
  EXPECT_EQ(labels,
            (std::vector<std::string>{"10-25", "10-26", "10-27", "10-28", "10-29", "10-30"}));
}

TEST(ChartTest, ValuesCarryTheirUnitAndLargeWattsBecomeKilowatts) {
  TimeChart c = Day(At("2026-07-01T22:00:00Z"), "UTC");
  c.lines = {{"solar", {{c.from, 0}, {c.from + std::chrono::minutes(15), 4200}}}};
  const auto svg = RenderTimeChart(c);
  EXPECT_NE(svg.find(">kW</text>"), std::string::npos);
  EXPECT_NE(svg.find(R"(<text class="yt" x="54.0" y="18.0">6</text>)"), std::string::npos) << svg;
  // Positive values only: the axis starts at 0, not a step below.
  EXPECT_NE(svg.find(R"(<text class="yt" x="54.0" y="234.0">0</text>)"), std::string::npos);
  EXPECT_EQ(svg.find(">-2</text>"), std::string::npos);
  c.lines = {{"solar", {{c.from, 0}, {c.from + std::chrono::minutes(15), 420}}}};
  EXPECT_NE(RenderTimeChart(c).find(">W</text>"), std::string::npos);
}

TEST(ChartTest, GapsBreakTheLineAndLonePointsAreDots) {
  TimeChart c = Day(At("2026-07-01T22:00:00Z"), "UTC");
  const auto m = std::chrono::minutes(15);
  c.lines = {{"battery", {{c.from, 1}, {c.from + m, 2}, {c.from + 10 * m, 3}}}};
  const auto svg = RenderTimeChart(c);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n'), 0);
  std::size_t polylines = 0, circles = 0;
  for (auto p = svg.find("<polyline"); p != std::string::npos; p = svg.find("<polyline", p + 1)) {
    ++polylines;
  }
  for (auto p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) {
    ++circles;
  }
  EXPECT_EQ(polylines, 1u);
  EXPECT_EQ(circles, 1u);
  EXPECT_EQ(svg.find("No data"), std::string::npos);
}

TEST(ChartTest, EmptyChartSaysSoAndDrawsNoNaN) {
  const auto svg = RenderTimeChart(Day(At("2026-07-01T22:00:00Z"), "UTC"));
  EXPECT_NE(svg.find("No data in this period."), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(ChartTest, LabelsAndTitlesAreEscaped) {
  TimeChart c = Day(At("2026-07-01T22:00:00Z"), "UTC");
  c.title = "<script>alert(1)</script>";
  c.lines = {{"\"><img src=x onerror=alert(1)>", {{c.from, 1}}}};
  const auto svg = RenderTimeChart(c);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("&quot;&gt;&lt;img"), std::string::npos);
}

TEST(ChartTest, DailyBarsOneSlotPerLocalDayAcrossTheClockChange) {
  // Five Berlin days around the fall-back day (25 hours): one bar pair and one label each.
  chart::DailyChart c{"energy", "Wh", "Europe/Berlin", {{"produced", {}}, {"consumed", {}}}};
  for (auto t : BucketStarts(At("2026-10-23T00:00:00Z"), At("2026-10-27T12:00:00Z"), Interval::k1d,
                             "Europe/Berlin")) {
    c.series[0].points.push_back({t, 12000});
    c.series[1].points.push_back({t, 8000});
  }
  const auto svg = RenderDailyChart(c);
  EXPECT_EQ(Labels(svg), (std::vector<std::string>{"10-23", "10-24", "10-25", "10-26", "10-27"}));
  std::size_t bars = 0;
  for (auto p = svg.find("<rect"); p != std::string::npos; p = svg.find("<rect", p + 1)) ++bars;
  EXPECT_EQ(bars, 10u);
  EXPECT_NE(svg.find("2026-10-25 produced: 12 kWh"), std::string::npos);
  EXPECT_NE(svg.find(">kWh</text>"), std::string::npos);
}

}  // namespace
}  // namespace ems::api

// Charts drawn as inline SVG by the server (docs/contract.md §7, docs/dashboard.md): pure functions
// from data to markup, no clock, no I/O. Time axes are labelled in the site's local time through
// the domain's zone helpers (cctz), so a day of 23 or 25 hours is drawn as long as it was and its
// hour labels skip or repeat as the clocks did. Values carry their unit; W and Wh switch to kW and
// kWh when the values are large. Every label is escaped (api/html.h). Colours come from the
// stylesheet through the classes s0, s1, ... (the security headers allow no inline style).
#pragma once

#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::api::chart {

struct Point {
  Timestamp ts;
  double value = 0;
};

struct Line {
  std::string label;
  std::vector<Point> points;  // ascending ts
};

// Lines over [from, to), x proportional to time.
struct TimeChart {
  std::string title;
  std::string unit;
  Timestamp from;
  Timestamp to;
  std::string timezone;  // the site's IANA zone: tick labels in its local time
  Millis max_gap;        // points further apart than this are not joined
  std::vector<Line> lines;
};
std::string RenderTimeChart(const TimeChart& chart);

// One bar per series per local day; every series holds the same days (points' ts: the local
// midnight that starts each day), one slot per day whatever its length.
struct DailyChart {
  std::string title;
  std::string unit;
  std::string timezone;
  std::vector<Line> series;
};
std::string RenderDailyChart(const DailyChart& chart);

// "1.5", "-12", "0.25": at most two decimals, no trailing zeros.
std::string FormatNumber(double value);

}  // namespace ems::api::chart

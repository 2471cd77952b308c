#include "api/pages/chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "api/html.h"
#include "ems/domain/rollup.h"

namespace ems::api::chart {
namespace {

// Geometry of every chart (a viewBox: the stylesheet scales it to the page's width).
constexpr double kWidth = 720, kHeight = 260;
constexpr double kLeft = 60, kRight = 12, kTop = 14, kBottom = 30;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
constexpr int kClasses = 8;  // s0 … s7 in the stylesheet

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The value axis: a range from 0 (or below, for negative values) to a nice top, its step, and
// the unit the labels are in (values divided by `scale`).
struct ValueAxis {
  double lo = 0, hi = 1, step = 1, scale = 1;
  std::string unit;
  double Y(double value) const { return kTop + kPlotH * (hi - value / scale) / (hi - lo); }
};

double NiceStep(double span) {
  const double raw = span / 4;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

ValueAxis MakeAxis(double lo, double hi, const std::string& unit) {
  ValueAxis a;
  a.unit = unit;
  if ((unit == "W" || unit == "Wh") && std::max(std::abs(lo), std::abs(hi)) >= 1000) {
    a.scale = 1000;
    a.unit = "k" + unit;
  }
  lo = std::min(0.0, lo / a.scale);
  hi = std::max(0.0, hi / a.scale);
  if (hi - lo < 1e-9) hi = lo + 1;
  a.step = NiceStep(hi - lo);
  a.lo = std::floor(lo / a.step + 1e-9) * a.step;
  a.hi = std::ceil(hi / a.step - 1e-9) * a.step;
  return a;
}

void OpenSvg(std::string& out, const std::string& title) {
  out += "<figure class=\"chart\"><figcaption>" + Escape(title) +
         "</figcaption><svg viewBox=\"0 0 720 260\" role=\"img\" aria-label=\"";
  out += Escape(title);
  out += "\"><title>" + Escape(title) + "</title>";
}

// Horizontal grid lines with the value labels, and the unit above them.
void DrawValueAxis(std::string& out, const ValueAxis& a) {
  for (double v = a.lo; v <= a.hi + a.step / 2; v += a.step) {
    const double y = kTop + kPlotH * (a.hi - v) / (a.hi - a.lo);
    out += "<line class=\"grid\" x1=\"" + Num(kLeft) + "\" x2=\"" + Num(kLeft + kPlotW) +
           "\" y1=\"" + Num(y) + "\" y2=\"" + Num(y) + "\"/>";
    out += "<text class=\"yt\" x=\"" + Num(kLeft - 6) + "\" y=\"" + Num(y + 4) + "\">" +
           Escape(FormatNumber(std::abs(v) < a.step / 1e6 ? 0 : v)) + "</text>";
  }
  out += "<text class=\"unit\" x=\"4\" y=\"10\">" + Escape(a.unit) + "</text>";
}

void XTick(std::string& out, double x, const std::string& label) {
  out += "<line class=\"tick\" x1=\"" + Num(x) + "\" x2=\"" + Num(x) + "\" y1=\"" +
         Num(kTop + kPlotH) + "\" y2=\"" + Num(kTop + kPlotH + 4) + "\"/>";
  out += "<text class=\"xt\" x=\"" + Num(x) + "\" y=\"" + Num(kHeight - 10) + "\">" +
         Escape(label) + "</text>";
}

// "12-07" of the local day containing `t`.
std::string DayLabel(Timestamp t, const std::string& tz) {
  return FormatDate(LocalDate(t, tz)).substr(5);
}

void CloseSvg(std::string& out, const std::vector<Line>& lines, bool empty) {
  if (empty) {
    out += "<text class=\"empty\" x=\"" + Num(kLeft + kPlotW / 2) + "\" y=\"" +
           Num(kTop + kPlotH / 2) + "\">No data in this period.</text>";
  }
  out += "</svg><ul class=\"legend\">";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out +=
        "<li class=\"k" + std::to_string(i % kClasses) + "\">" + Escape(lines[i].label) + "</li>";
  }
  out += "</ul></figure>";
}

std::pair<double, double> ValueRange(const std::vector<Line>& lines) {
  double lo = 0, hi = 0;
  for (const auto& line : lines) {
    for (const auto& p : line.points) {
      if (!std::isfinite(p.value)) continue;
      lo = std::min(lo, p.value);
      hi = std::max(hi, p.value);
    }
  }
  return {lo, hi};
}

}  // namespace

std::string FormatNumber(double value) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string RenderTimeChart(const TimeChart& c) {
  const auto [lo, hi] = ValueRange(c.lines);
  const auto axis = MakeAxis(lo, hi, c.unit);
  const double span = static_cast<double>((c.to - c.from).count());
  const auto x_of = [&](Timestamp t) {
    return kLeft + kPlotW * static_cast<double>((t - c.from).count()) / span;
  };
  std::string out;
  OpenSvg(out, c.title);
  DrawValueAxis(out, axis);

  // Time ticks at local clock times: every 3 (or 6) local hours up to two days, else local days.
  if (c.to - c.from <= std::chrono::hours(50)) {
    const int every = c.to - c.from <= std::chrono::hours(26) ? 3 : 6;
    for (auto t : BucketStarts(c.from, c.to, Interval::k15m, "UTC")) {
      if (t < c.from) continue;
      const double hour = LocalHourOfDay(t, c.timezone);
      if (std::abs(hour - std::round(hour)) > 1e-6) continue;
      const int h = static_cast<int>(std::lround(hour)) % 24;
      if (h % every != 0) continue;
      char label[8];
      std::snprintf(label, sizeof label, "%02d:00", h);
      XTick(out, x_of(t), h == 0 ? DayLabel(t, c.timezone) : label);
    }
  } else {
    auto days = BucketStarts(c.from, c.to, Interval::k1d, c.timezone);
    std::erase_if(days, [&](Timestamp t) { return t < c.from; });
    const std::size_t every = std::max<std::size_t>(1, (days.size() + 7) / 8);
    for (std::size_t i = 0; i < days.size(); i += every) {
      XTick(out, x_of(days[i]), DayLabel(days[i], c.timezone));
    }
  }

  bool empty = true;
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const auto& points = c.lines[i].points;
    const std::string cls = "s" + std::to_string(i % kClasses);
    std::size_t start = 0;
    while (start < points.size()) {
      std::size_t end = start + 1;
      while (end < points.size() && points[end].ts - points[end - 1].ts <= c.max_gap) ++end;
      empty = false;
      if (end - start == 1) {
        out += "<circle class=\"" + cls + "\" r=\"2\" cx=\"" + Num(x_of(points[start].ts)) +
               "\" cy=\"" + Num(axis.Y(points[start].value)) + "\"/>";
      } else {
        out += "<polyline class=\"" + cls + "\" points=\"";
        for (std::size_t k = start; k < end; ++k) {
          out += Num(x_of(points[k].ts)) + "," + Num(axis.Y(points[k].value)) + " ";
        }
        out.back() = '"';
        out += "/>";
      }
      start = end;
    }
  }
  CloseSvg(out, c.lines, empty);
  return out;
}

std::string RenderDailyChart(const DailyChart& c) {
  const auto [lo, hi] = ValueRange(c.series);
  const auto axis = MakeAxis(lo, hi, c.unit);
  std::string out;
  OpenSvg(out, c.title);
  DrawValueAxis(out, axis);
  const std::size_t days = c.series.empty() ? 0 : c.series.front().points.size();
  bool empty = true;
  if (days > 0) {
    const double slot = kPlotW / static_cast<double>(days);
    const double bar = slot * 0.8 / static_cast<double>(c.series.size());
    const std::size_t every = std::max<std::size_t>(1, (days + 9) / 10);
    const double zero = axis.Y(0);
    for (std::size_t d = 0; d < days; ++d) {
      const double x0 = kLeft + slot * static_cast<double>(d) + slot * 0.1;
      for (std::size_t s = 0; s < c.series.size(); ++s) {
        if (d >= c.series[s].points.size()) continue;
        const auto& p = c.series[s].points[d];
        const double y = axis.Y(p.value);
        if (p.value != 0) empty = false;
        out += "<rect class=\"s" + std::to_string(s % kClasses) + "\" x=\"" +
               Num(x0 + bar * static_cast<double>(s)) + "\" y=\"" + Num(std::min(y, zero)) +
               "\" width=\"" + Num(bar) + "\" height=\"" + Num(std::abs(zero - y)) + "\"><title>" +
               Escape(FormatDate(LocalDate(p.ts, c.timezone)) + " " + c.series[s].label + ": " +
                      FormatNumber(p.value / axis.scale) + " " + axis.unit) +
               "</title></rect>";
      }
      if (d % every == 0) {
        XTick(out, kLeft + slot * (static_cast<double>(d) + 0.5),
              DayLabel(c.series.front().points[d].ts, c.timezone));
      }
    }
  }
  CloseSvg(out, c.series, empty);
  return out;
}

}  // namespace ems::api::chart

// The listener's device side (docs/contract.md §4.1, §4.3, §4.4, §2 retention) on a real temporary
// SQLite database: the discovery and telemetry handler, the ingestor around it (counts, dead
// letters, rollups flushed exactly once even when a batch falls back to one message at a time), the
// retained energy summary publisher, raw retention, and the simulator's payloads going through
// the real rules.
#include "listener/handlers/device_handler.h"

#include <gtest/gtest.h>

#include "ems/mqtt/topics.h"
#include "ems/sim/fleet.h"
#include "ems/store/site_removal.h"
#include "listener/derived/retention.h"
#include "listener/derived/summary_publisher.h"
#include "listener/ingestor.h"
#include "support.h"

namespace ems::listener {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::ApplianceMeta;
using testing::At;
using testing::BatteryMeta;
using testing::kPrefix;
using testing::SolarMeta;
using testing::TelemetryPayload;
using Json = nlohmann::json;

constexpr auto Topic = testing::DeviceTopic;
const store::Visibility kAll = store::Visibility::All();

class DeviceHandlerTest : public testing::TempDbTest {
 protected:
  InboxRecord Record(const std::string& topic, const std::string& payload) {
    ++seq_;
    return InboxRecord{seq_, now_ + seconds(seq_), topic, payload};
  }

  // One message in its own transaction, as the writer would.
  Result<Outcome> Handle(DeviceHandler& h, const std::string& topic, const std::string& payload,
                         BatchEffects* effects = nullptr) {
    BatchEffects local;
    return HandleAll(h, {{topic, payload}}, effects ? *effects : local).front();
  }

  // Messages (topic, payload) in one transaction, as the writer applies a batch.
  std::vector<Result<Outcome>> HandleAll(
      DeviceHandler& h, const std::vector<std::pair<std::string, std::string>>& messages,
      BatchEffects& e) {
    auto tx = store().Begin(store::TxMode::kWrite);
    std::vector<Result<Outcome>> out;
    for (const auto& [topic, payload] : messages) {
      const auto record = Record(topic, payload);
      const auto parsed = mqtt::ParseTopic(kPrefix, topic);
      EXPECT_TRUE(parsed.has_value()) << topic;
      out.push_back(Rejected(ErrorCode::kUnknownTopic, "unparsed topic"));
      if (const auto* m = std::get_if<mqtt::MetaMsg>(&*parsed))
        out.back() = h.Handle(*m, record, e);
      if (const auto* t = std::get_if<mqtt::TelemetryMsg>(&*parsed)) {
        out.back() = h.Handle(*t, record, e);
      }
    }
    tx.Commit();
    return out;
  }

  std::vector<SeriesPoint> Hourly(const std::string& device, const std::string& metric) {
    auto points = store().Readings().Series({device, metric},
                                            {now_ - hours(24), now_ + hours(24), Interval::k1h});
    EXPECT_TRUE(points.has_value());
    return points ? *points : std::vector<SeriesPoint>{};
  }

  std::int64_t seq_ = 0;
  Timestamp now_ = At("2026-11-21T10:00:00Z");
  IngestOptions options_;
};

TEST_F(DeviceHandlerTest, MetaCreatesSiteAndDeviceThenUpdatesOrIsADuplicate) {
  DeviceHandler h(store());
  BatchEffects e;
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump(), &e), Outcome::kStored);
  EXPECT_EQ(e.sites, std::set<std::string>{"home"});
  EXPECT_EQ(e.devices, std::set<std::string>{"pv-1"});

  const auto site = store().Sites().Get("home", kAll);
  ASSERT_TRUE(site.has_value());
  EXPECT_EQ(site->name, "Home");
  EXPECT_EQ(site->timezone, "Europe/Berlin");

  BatchEffects again;
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump(), &again),
            Outcome::kDuplicate);
  EXPECT_TRUE(again.devices.empty());

  auto renamed = SolarMeta();
  renamed["name"] = "Roof south";
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "meta"), renamed.dump()), Outcome::kStored);
  auto& devices = store().Devices();
  EXPECT_EQ(devices.Get("pv-1", kAll)->name, "Roof south");

  EXPECT_EQ(Handle(h, Topic("away", "pv-1", "meta"), SolarMeta().dump()).error().code,
            ErrorCode::kDeviceSiteMismatch);
  EXPECT_EQ(Handle(h, Topic("home", "pv-2", "meta"), "not json").error().code,
            ErrorCode::kInvalidJson);
  auto bad = SolarMeta();
  bad["properties"]["rated_power_w"] = -1;
  const auto rejected = Handle(h, Topic("home", "pv-2", "meta"), bad.dump());
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidMeta);
  EXPECT_NE(rejected.error().message.find("rated_power_w"), std::string::npos);
}

TEST_F(DeviceHandlerTest, TelemetryIsStoredOnceAndFollowsTheRules) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  ASSERT_EQ(Handle(h, Topic("home", "bat-1", "meta"), BatteryMeta().dump()), Outcome::kStored);

  const auto sample = TelemetryPayload(now_, {{"power_w", 1830.5}, {"energy_wh", 12.0}});
  BatchEffects e;
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"), sample, &e), Outcome::kStored);
  EXPECT_EQ(e.sites, std::set<std::string>{"home"});
  EXPECT_EQ(e.devices, std::set<std::string>{"pv-1"});
  BatchEffects dup;
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"), sample, &dup), Outcome::kDuplicate);
  EXPECT_TRUE(dup.devices.empty());

  auto& telemetry = store().Readings();
  const auto latest = telemetry.Latest("pv-1", "power_w");
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->value, 1830.5);
  const auto hourly = Hourly("pv-1", "power_w");
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_EQ(hourly[0].count, 1);  // the duplicate was not counted again
  auto& devices = store().Devices();
  EXPECT_EQ(devices.Get("pv-1", kAll)->last_seen, now_);

  const auto unknown = Handle(h, Topic("home", "ghost", "telemetry"), sample);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnknownDevice);
  EXPECT_EQ(unknown.error().message, "Device ghost was never discovered or registered.");

  EXPECT_EQ(Handle(h, Topic("away", "pv-1", "telemetry"), sample).error().code,
            ErrorCode::kDeviceSiteMismatch);

  // The sign convention: a solar panel never draws power; a battery may do both.
  const auto sign = Handle(h, Topic("home", "pv-1", "telemetry"),
                           TelemetryPayload(now_ + seconds(5), {{"power_w", -10.0}}));
  ASSERT_FALSE(sign.has_value());
  EXPECT_EQ(sign.error().code, ErrorCode::kInvalidTelemetry);
  EXPECT_NE(sign.error().message.find("power_w"), std::string::npos);
  EXPECT_EQ(Handle(h, Topic("home", "bat-1", "telemetry"),
                   TelemetryPayload(now_, {{"power_w", -1200.0}, {"soc_pct", 54.2}},
                                    {{"mode", "charging"}})),
            Outcome::kStored);
  EXPECT_EQ(Handle(h, Topic("home", "bat-1", "telemetry"),
                   TelemetryPayload(now_ + seconds(5), {{"soc_pct", 120.0}}))
                .error()
                .code,
            ErrorCode::kInvalidTelemetry);
  EXPECT_EQ(devices.Get("bat-1", kAll)->state, (Json{{"mode", "charging"}}));

  // A state-only message stores no sample but moves the state: stored, then a duplicate.
  const auto state_only = Json{
      {"ts", FormatTimestamp(now_ + seconds(10))},
      {"metrics", Json::object()},
      {"state",
       {{"mode", "idle"}}}}.dump();
  EXPECT_EQ(Handle(h, Topic("home", "bat-1", "telemetry"), state_only), Outcome::kStored);
  EXPECT_EQ(Handle(h, Topic("home", "bat-1", "telemetry"), state_only), Outcome::kDuplicate);
  EXPECT_EQ(devices.Get("bat-1", kAll)->state, (Json{{"mode", "idle"}}));
}

// In a batch, messages with samples and no state move last_seen once per device, to their newest
// ts; a message carrying state is still weighed against the newest ts before it, as if every
// message had been applied alone.
TEST_F(DeviceHandlerTest, ABatchMovesLastSeenToItsNewestSampleAndKeepsTheOrderOfState) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "bat-1", "meta"), BatteryMeta().dump()), Outcome::kStored);
  const auto topic = Topic("home", "bat-1", "telemetry");
  const auto at = [&](int s, Json state = Json::object()) {
    return TelemetryPayload(now_ + seconds(s), {{"soc_pct", 50.0 + s}}, std::move(state));
  };
  BatchEffects e;
  const auto outcomes = HandleAll(h,
                                  {{topic, at(20)},
                                   {topic, at(10)},
                                   {topic, at(15, {{"mode", "charging"}})},  // older than 20
                                   {topic, at(30)}},
                                  e);
  for (const auto& o : outcomes) EXPECT_EQ(o, Outcome::kStored);
  auto& devices = store().Devices();
  EXPECT_EQ(devices.Get("bat-1", kAll)->last_seen, now_ + seconds(30));
  EXPECT_EQ(devices.Get("bat-1", kAll)->state, Json::object());
  EXPECT_EQ(store().Readings().Latest("bat-1", "soc_pct")->value, 80.0);

  // The next batch: state older than the last batch's newest sample is not taken, newer is.
  EXPECT_EQ(HandleAll(h, {{topic, at(25, {{"mode", "idle"}})}}, e).front(), Outcome::kStored);
  EXPECT_EQ(devices.Get("bat-1", kAll)->state, Json::object());
  EXPECT_EQ(HandleAll(h, {{topic, at(35, {{"mode", "idle"}})}, {topic, at(40)}}, e).front(),
            Outcome::kStored);
  EXPECT_EQ(devices.Get("bat-1", kAll)->state, (Json{{"mode", "idle"}}));
  EXPECT_EQ(devices.Get("bat-1", kAll)->last_seen, now_ + seconds(40));
}

// The handler keeps what it read of a device for the rest of the transaction; a meta message in
// the same transaction that changes the device's type is seen by the telemetry after it.
TEST_F(DeviceHandlerTest, AMetaMessageInTheSameBatchChangesHowLaterTelemetryIsChecked) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "dev-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  const auto topic = Topic("home", "dev-1", "telemetry");
  BatchEffects e;
  const auto outcomes =
      HandleAll(h,
                {{topic, TelemetryPayload(now_, {{"power_w", 900.0}})},
                 {topic, TelemetryPayload(now_ + seconds(5), {{"power_w", -50.0}})},  // solar
                 {Topic("home", "dev-1", "meta"), BatteryMeta().dump()},
                 {topic, TelemetryPayload(now_ + seconds(10), {{"power_w", -50.0}})}},  // battery
                e);
  EXPECT_EQ(outcomes[0], Outcome::kStored);
  ASSERT_FALSE(outcomes[1].has_value());
  EXPECT_EQ(outcomes[1].error().code, ErrorCode::kInvalidTelemetry);
  EXPECT_EQ(outcomes[2], Outcome::kStored);
  EXPECT_EQ(outcomes[3], Outcome::kStored);
}

TEST_F(DeviceHandlerTest, SamplesOlderThanThePruneCutoffAreTooOld) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  RawRetention retention(store(), options_);  // 90 days
  retention.PruneNow(now_);
  const auto old = Handle(h, Topic("home", "pv-1", "telemetry"),
                          TelemetryPayload(now_ - hours(24 * 91), {{"power_w", 1.0}}));
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code, ErrorCode::kTooOld);
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"),
                   TelemetryPayload(now_ - hours(24 * 89), {{"power_w", 1.0}})),
            Outcome::kStored);
}

TEST_F(DeviceHandlerTest, SamplesStampedMoreThanFiveMinutesAheadAreTooNew) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  // Record() stamps arrival at now_ + its sequence number in seconds: this one arrives at +2 s.
  const auto ahead = Handle(h, Topic("home", "pv-1", "telemetry"),
                            TelemetryPayload(now_ + minutes(5) + seconds(3), {{"power_w", 1.0}}));
  ASSERT_FALSE(ahead.has_value());
  EXPECT_EQ(ahead.error().code, ErrorCode::kTooNew);
  EXPECT_NE(ahead.error().message.find("5 minutes"), std::string::npos);
  // Arriving a second later, the same reading is exactly five minutes ahead: a clock skew to
  // live with.
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"),
                   TelemetryPayload(now_ + minutes(5) + seconds(3), {{"power_w", 1.0}})),
            Outcome::kStored);
  auto& telemetry = store().Readings();
  EXPECT_EQ(telemetry.Latest("pv-1", "power_w")->ts, now_ + minutes(5) + seconds(3));
}

TEST_F(DeviceHandlerTest, ARolledBackTransactionLeavesNoPendingRollups) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  const auto sample = TelemetryPayload(now_, {{"power_w", 100.0}});
  {
    auto tx = store().Begin(store::TxMode::kWrite);
    BatchEffects e;
    ASSERT_EQ(h.Handle(mqtt::TelemetryMsg{"home", "pv-1"},
                       Record(Topic("home", "pv-1", "telemetry"), sample), e),
              Outcome::kStored);
    EXPECT_GT(store().Telemetry().pending_rows(), 0u);
  }  // rolled back: the raw row is gone, and so must be the held rollups
  {
    // A transaction without telemetry must not write the stale rollups.
    auto tx = store().Begin(store::TxMode::kWrite);
    EXPECT_EQ(store().Telemetry().pending_rows(), 0u);
    tx.Commit();
  }
  EXPECT_TRUE(Hourly("pv-1", "power_w").empty());
  EXPECT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"), sample), Outcome::kStored);
  const auto hourly = Hourly("pv-1", "power_w");
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_EQ(hourly[0].count, 1);
}

TEST_F(DeviceHandlerTest, IngestorFallbackStoresEachSampleOnceAndDeadLettersTheFailure) {
  // A storage failure injected on one session makes the whole batch fail, so the ingestor
  // retries it one message per transaction; rollups of the failed attempt must not survive.
  db().exec(
      "CREATE TRIGGER fail_boom BEFORE INSERT ON sessions WHEN NEW.session_id = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  Ingestor ingestor(store(), options_);
  const Json session = testing::SpecSession("boom");
  std::vector<InboxRecord> batch = {
      Record(Topic("home", "pv-1", "meta"), SolarMeta().dump()),
      Record(Topic("home", "fridge", "meta"), ApplianceMeta().dump()),
      Record(Topic("home", "pv-1", "telemetry"), TelemetryPayload(now_, {{"power_w", 1000.0}})),
      Record(Topic("home", "fridge", "telemetry"), TelemetryPayload(now_, {{"power_w", -150.0}})),
      Record(Topic("home", "st-1", "sessions"), session.dump()),
      Record(Topic("home", "pv-1", "telemetry"),
             TelemetryPayload(now_ + seconds(5), {{"power_w", 1100.0}})),
      Record(Topic("home", "pv-1", "telemetry"),
             TelemetryPayload(now_ + seconds(5), {{"power_w", 1100.0}})),
      Record(Topic("home", "ghost", "telemetry"), TelemetryPayload(now_, {{"power_w", 1.0}})),
  };
  const auto effects = ingestor.ApplyBatch(batch);
  EXPECT_EQ(effects.counts.received, 8);
  EXPECT_EQ(effects.counts.stored, 5);
  EXPECT_EQ(effects.counts.duplicates, 1);
  EXPECT_EQ(effects.counts.rejected, 2);
  EXPECT_EQ(effects.counts.rejected_by_reason.at("processing_error"), 1);
  EXPECT_EQ(effects.counts.rejected_by_reason.at("unknown_device"), 1);
  EXPECT_EQ(effects.devices, (std::set<std::string>{"fridge", "pv-1"}));

  const auto hourly = Hourly("pv-1", "power_w");
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_EQ(hourly[0].count, 2);
  EXPECT_DOUBLE_EQ(hourly[0].value, 1050.0);
  auto& telemetry = store().Readings();
  EXPECT_EQ(telemetry.Latest("pv-1", "power_w")->value, 1100.0);
  auto& ingest = store().Ingest();
  EXPECT_EQ(ingest.ListDeadLetters(10, std::nullopt, std::string("unknown_device")).items.size(),
            1u);
}

TEST_F(DeviceHandlerTest, SummaryIsPublishedThrottledWhenChangedAndWhenReadingsTurnStale) {
  Ingestor ingestor(store(), options_);
  std::vector<std::pair<std::string, std::string>> sent;
  SummaryDerivedPublisher summaries(
      store(), options_,
      [&](const std::string& t, const std::string& p) { sent.emplace_back(t, p); });
  // Telemetry stamped "now": the publisher computes with the test's clock.
  const auto t0 = now_;
  auto effects = ingestor.ApplyBatch(
      {Record(Topic("home", "pv-1", "meta"), SolarMeta().dump()),
       Record(Topic("home", "fridge", "meta"), ApplianceMeta().dump()),
       Record(Topic("home", "bat-1", "meta"), BatteryMeta().dump()),
       Record(Topic("home", "pv-1", "telemetry"), TelemetryPayload(t0, {{"power_w", 3000.0}})),
       Record(Topic("home", "fridge", "telemetry"), TelemetryPayload(t0, {{"power_w", -150.0}})),
       Record(Topic("home", "bat-1", "telemetry"),
              TelemetryPayload(t0, {{"power_w", -1000.0}, {"soc_pct", 50.0}}))});
  summaries.AfterCommit(effects, t0);
  summaries.Tick(t0);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, "ems/v1/sites/home/summary");
  auto j = Json::parse(sent[0].second);
  EXPECT_EQ(j["site_id"], "home");
  EXPECT_EQ(j["produced_w"], 3000.0);
  EXPECT_EQ(j["consumed_w"], 1150.0);
  EXPECT_EQ(j["net_w"], 1850.0);
  EXPECT_EQ(j["devices_reporting"], 3);
  ASSERT_EQ(j["storage"].size(), 1u);
  EXPECT_EQ(j["storage"][0]["stored_wh"], 5000.0);

  // A change within the second waits for it; an unchanged summary is not sent again.
  effects = ingestor.ApplyBatch({Record(Topic("home", "pv-1", "telemetry"),
                                        TelemetryPayload(t0 + seconds(1), {{"power_w", 3500.0}}))});
  summaries.AfterCommit(effects, t0 + Millis(400));
  summaries.Tick(t0 + Millis(400));
  EXPECT_EQ(sent.size(), 1u);
  summaries.Tick(t0 + Millis(1000));
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(Json::parse(sent[1].second)["produced_w"], 3500.0);
  summaries.AfterCommit(effects, t0 + seconds(3));
  summaries.Tick(t0 + seconds(3));
  EXPECT_EQ(sent.size(), 2u);

  // No message at all, yet the first readings turn stale after EMS_STALE_AFTER_S.
  summaries.Tick(t0 + seconds(30));
  EXPECT_EQ(sent.size(), 2u);
  summaries.Tick(t0 + seconds(31));
  ASSERT_EQ(sent.size(), 3u);
  j = Json::parse(sent[2].second);
  EXPECT_EQ(j["produced_w"], 3500.0);
  EXPECT_EQ(j["consumed_w"], 0.0);
  EXPECT_EQ(j["devices_stale"], 2);
  EXPECT_TRUE(j["storage"][0]["soc_pct"].is_null());
  summaries.Tick(t0 + seconds(32));
  ASSERT_EQ(sent.size(), 4u);  // and then the last one
  EXPECT_EQ(Json::parse(sent[3].second)["devices_reporting"], 0);

  // A restarted listener republishes every site it has.
  std::vector<std::string> restarted;
  SummaryDerivedPublisher fresh(
      store(), options_, [&](const std::string& t, const std::string&) { restarted.push_back(t); });
  fresh.Tick(t0 + seconds(40));
  EXPECT_EQ(restarted, std::vector<std::string>{"ems/v1/sites/home/summary"});
}

// A site deleted over REST (whose retained summary the API clears) is not published again, not
// even when its last readings turn stale.
TEST_F(DeviceHandlerTest, ADeletedSiteIsNotPublishedAgain) {
  Ingestor ingestor(store(), options_);
  std::vector<std::string> sent;
  SummaryDerivedPublisher summaries(
      store(), options_, [&](const std::string& t, const std::string&) { sent.push_back(t); });
  const auto t0 = now_;
  summaries.AfterCommit(
      ingestor.ApplyBatch(
          {Record(Topic("home", "pv-1", "meta"), SolarMeta().dump()),
           Record(Topic("home", "pv-1", "telemetry"), TelemetryPayload(t0, {{"power_w", 300.0}}))}),
      t0);
  summaries.Tick(t0);
  ASSERT_EQ(sent.size(), 1u);
  {
    auto tx = store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(store::RemoveSite(store(), "home", true, t0));
    tx.Commit();
  }
  summaries.Tick(t0 + seconds(40));  // the reading would have turned stale by now
  EXPECT_EQ(sent.size(), 1u);
}

TEST_F(DeviceHandlerTest, RetentionPrunesRawRowsAtStartThenHourly) {
  DeviceHandler h(store());
  ASSERT_EQ(Handle(h, Topic("home", "pv-1", "meta"), SolarMeta().dump()), Outcome::kStored);
  const auto real_now = Now();
  for (int days : {100, 95, 50}) {
    ASSERT_EQ(Handle(h, Topic("home", "pv-1", "telemetry"),
                     TelemetryPayload(real_now - hours(24 * days), {{"power_w", 1.0}})),
              Outcome::kStored);
  }
  auto& telemetry = store().Readings();
  const auto raw = [&] {
    return telemetry.Raw("pv-1", "power_w", real_now - hours(24 * 200), real_now).size();
  };
  IngestOptions options;
  options.raw_retention_days = 90;
  RawRetention retention(store(), options);
  retention.Tick(real_now);
  EXPECT_EQ(raw(), 1u);
  EXPECT_EQ(store().Retention().PrunedBefore(), real_now - hours(24 * 90));
  // Rollups stay.
  EXPECT_EQ(telemetry
                .Series({"pv-1", "power_w", "UTC"},
                        {real_now - hours(24 * 200), real_now, Interval::k1d, Agg::kAvg})
                ->size(),
            3u);
  // The next run is an hour later.
  retention.Tick(real_now + minutes(59));
  EXPECT_EQ(store().Retention().PrunedBefore(), real_now - hours(24 * 90));
  retention.Tick(real_now + hours(1));
  EXPECT_EQ(store().Retention().PrunedBefore(), real_now + hours(1) - hours(24 * 90));
}

TEST_F(DeviceHandlerTest, TheSimulatedFleetBreaksNoRule) {
  sim::FleetConfig config;
  config.prefix = kPrefix;
  config.telemetry_interval = minutes(10);  // a day in ~6 k messages
  config.session_interval = hours(1);
  const auto start = At("2026-06-21T04:00:00Z");
  sim::Fleet fleet(config, start);
  Ingestor ingestor(store(), options_);
  std::vector<InboxRecord> batch;
  for (auto& m : fleet.Discovery()) batch.push_back(Record(m.topic, m.payload));
  // A simulated day in 15-minute steps: sunrise to night, EVs leaving and coming back.
  for (auto t = start; t <= start + hours(24); t += minutes(15)) {
    for (auto& m : fleet.Advance(t)) batch.push_back(Record(m.topic, m.payload));
  }
  const auto effects = ingestor.ApplyBatch(batch);
  EXPECT_GT(effects.counts.stored, 1000);
  EXPECT_EQ(effects.counts.rejected, 0);
  for (const auto& [reason, n] : effects.counts.rejected_by_reason) {
    ADD_FAILURE() << n << " rejected: " << reason;
  }
  auto& ingest = store().Ingest();
  for (const auto& d : ingest.ListDeadLetters(5, std::nullopt, std::nullopt).items) {
    ADD_FAILURE() << d.topic << ": " << d.reason << ": " << d.message << " " << d.payload;
  }
  EXPECT_EQ(store().Sites().Get("site-1", kAll)->device_count, 9);   // Berlin
  EXPECT_EQ(store().Sites().Get("site-2", kAll)->device_count, 10);  // New York: a dryer too
  EXPECT_EQ(store().Sites().Get("site-3", kAll)->device_count, 9);   // Sydney
  EXPECT_EQ(store().Sites().Get("hub-1", kAll)->device_count, 4);
}

}  // namespace
}  // namespace ems::listener

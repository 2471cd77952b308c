#include "ocpp/central_system.h"

#include <sodium.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <optional>

#include "ems/auth/password.h"
#include "ems/codec/device_codec.h"
#include "ems/codec/schedule_codec.h"
#include "ems/codec/session_codec.h"
#include "ems/domain/ids.h"
#include "ems/mqtt/topics.h"
#include "ems/util/log.h"
#include "ocpp/frame.h"
#include "ocpp/messages.h"

namespace ems::ocpp {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Json = codec::Json;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxHeaderBytes = 8 << 10;
constexpr std::size_t kMaxControlBody = 4 << 10;
constexpr std::size_t kMaxQueuedBytes = 1 << 20;
constexpr std::size_t kMaxAwaitingAnswers = 16;
constexpr auto kCallTimeout = std::chrono::seconds(30);
constexpr auto kTouchEvery = std::chrono::seconds(60);
constexpr const char* kSubprotocol = "ocpp1.6";

using Request = http::request<http::string_body>;

// "user:password" of a Basic Authorization header.
std::optional<std::pair<std::string, std::string>> BasicCredentials(std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size() ||
      !beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  const auto encoded = header.substr(kScheme.size());
  std::string decoded(encoded.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                        encoded.data(), encoded.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  decoded.resize(len);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair(decoded.substr(0, colon), decoded.substr(colon + 1));
}

// True when the comma-separated Sec-WebSocket-Protocol list offers `protocol`.
bool OffersProtocol(std::string_view list, std::string_view protocol) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == protocol) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string ErrorBody(const std::string& message) {
  return Json{{"status", "error"}, {"message", message}}.dump();
}

// Reads one HTTP request (headers bounded, body at most `body_limit`), then calls `done`.
template <class Done>
void ReadRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                 std::optional<http::request_parser<http::string_body>>& parser,
                 std::size_t body_limit, Done done) {
  parser.emplace();
  parser->header_limit(kMaxHeaderBytes);
  parser->body_limit(body_limit);
  stream.expires_after(kHandshakeTimeout);
  http::async_read(stream, buffer, *parser,
                   [done = std::move(done)](beast::error_code ec, std::size_t) { done(ec); });
}

// Writes `status` with `body` and closes the connection; `keep` holds its owner alive.
template <class Keep>
void RespondAndClose(beast::tcp_stream& stream, http::status status, std::string body, Keep keep,
                     bool basic_challenge = false) {
  auto res = std::make_shared<http::response<http::string_body>>(status, 11);
  res->set(http::field::server, "ems-ocpp");
  res->set(http::field::content_type, "application/json");
  if (basic_challenge) res->set(http::field::www_authenticate, "Basic realm=\"ems-ocpp\"");
  res->keep_alive(false);
  res->body() = std::move(body);
  res->prepare_payload();
  http::async_write(stream, *res, [&stream, res, keep](beast::error_code, std::size_t) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  });
}

}  // namespace

// One charger's connection: the handshake, then the WebSocket with its write queue and the
// calls ems-ocpp sent it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(CentralSystem& cs, tcp::socket socket)
      : cs_(cs), open_(cs.open_), stream_(std::move(socket)) {
    ++*open_;
  }
  ~Connection() { --*open_; }

  void Start() {
    ReadRequest(stream_, buffer_, parser_, 0, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->OnRequest();
    });
  }

  void Refuse(http::status status, const std::string& message, bool challenge = false) {
    RespondAndClose(stream_, status, ErrorBody(message), shared_from_this(), challenge);
  }

  void Upgrade() {
    auto req = parser_->release();
    ws_.emplace(std::move(stream_));
    beast::get_lowest_layer(*ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    // A charger silent for two heartbeats (pings answered count) is gone.
    timeouts.idle_timeout = cs_.options_.heartbeat * 2 + std::chrono::seconds(60);
    timeouts.keep_alive_pings = true;
    ws_->set_option(timeouts);
    ws_->set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, "ems-ocpp");
      res.set(http::field::sec_websocket_protocol, kSubprotocol);
    }));
    ws_->read_message_max(kMaxFrameBytes);
    ws_->async_accept(req, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->cs_.Attach(self);
      self->Read();
    });
  }

  void Send(std::string text) {
    if (!ws_ || closed_) return;
    if (queued_bytes_ + text.size() > kMaxQueuedBytes) {
      log::Warn("charger " + station_ + " reads too slowly; closing its connection");
      Close(websocket::close_code::policy_error);
      return;
    }
    queued_bytes_ += text.size();
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) Write();
  }

  // Sends a CALL; `done` gets the CALLRESULT payload, or std::nullopt after a CALLERROR, a
  // timeout or the connection's end.
  void Call(const std::string& action, const Json& payload,
            std::function<void(std::optional<Json>)> done) {
    const auto id = "ems-" + std::to_string(++next_call_id_);
    calls_[id] = {std::chrono::steady_clock::now() + kCallTimeout, std::move(done)};
    Send(EncodeCall(id, action, payload));
  }

  void Close(websocket::close_code code) {
    if (!ws_ || closed_) return;
    closed_ = true;
    ws_->async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  // Fails the calls whose time is up.
  void ExpireCalls(std::chrono::steady_clock::time_point now) {
    for (auto it = calls_.begin(); it != calls_.end();) {
      if (it->second.deadline > now) {
        ++it;
        continue;
      }
      auto done = std::move(it->second.done);
      it = calls_.erase(it);
      done(std::nullopt);
    }
  }

  const std::string& station() const { return station_; }
  const std::string& site() const { return site_; }

 private:
  friend class CentralSystem;

  void OnRequest() {
    const auto& req = parser_->get();
    const std::string_view target = req.target();
    constexpr std::string_view kPath = "/ocpp/";
    if (!target.starts_with(kPath) || !IsValidId(target.substr(kPath.size()))) {
      return Refuse(http::status::not_found, "The OCPP endpoint is /ocpp/{station}.");
    }
    station_ = std::string(target.substr(kPath.size()));
    if (!websocket::is_upgrade(req)) {
      return Refuse(http::status::upgrade_required, "This endpoint speaks WebSocket (OCPP-J).");
    }
    const auto credentials = BasicCredentials(req[http::field::authorization]);
    if (!credentials || credentials->first != station_) {
      return Refuse(http::status::unauthorized, "Unknown station or wrong password.", true);
    }
    cs_.Authenticate(shared_from_this(), station_, credentials->second);
  }

  void Read() {
    ws_->async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::message_too_big) {
          log::Warn("charger " + self->station_ + " sent a frame over 64 KiB; closed (1009)");
        }
        self->closed_ = true;
        self->cs_.Detach(self.get());
        self->ExpireCalls(std::chrono::steady_clock::time_point::max());
        return;
      }
      auto text = beast::buffers_to_string(self->read_buffer_.data());
      self->read_buffer_.consume(self->read_buffer_.size());
      self->OnFrame(text);
      self->Read();
    });
  }

  void OnFrame(const std::string& text) {
    auto frame = DecodeFrame(text);
    if (auto* call = std::get_if<ocpp::Call>(&frame)) {
      try {
        cs_.OnCall(shared_from_this(), call->id, call->action, call->payload);
      } catch (const std::exception& e) {
        // Storage failing (a full disk): not the charger's fault, and no reason to stop serving
        // the others; it sends the call again (docs/contract.md §4.4).
        log::WarnThrottled("ocpp-call", "cannot handle " + call->action + " of charger " +
                                            station_ + ": " + e.what());
        Send(EncodeCallError(call->id, "InternalError",
                             "The message could not be handled now; send it again."));
      }
    } else if (auto* result = std::get_if<CallResult>(&frame)) {
      Complete(result->id, std::move(result->payload));
    } else if (auto* error = std::get_if<CallError>(&frame)) {
      log::Info("charger " + station_ + " refused a call: " + error->code + " " +
                error->description);
      Complete(error->id, std::nullopt);
    } else {
      const auto& bad = std::get<FrameError>(frame);
      log::WarnThrottled("ocpp-frame",
                         "charger " + station_ + " sent a malformed frame: " + bad.description);
      Send(EncodeCallError(bad.id, bad.code, bad.description));
    }
  }

  void Complete(const std::string& id, std::optional<Json> payload) {
    const auto it = calls_.find(id);
    if (it == calls_.end()) return;
    auto done = std::move(it->second.done);
    calls_.erase(it);
    done(std::move(payload));
  }

  void Write() {
    ws_->text(true);
    ws_->async_write(net::buffer(queue_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->queued_bytes_ -= self->queue_.front().size();
                       self->queue_.pop_front();
                       if (ec) {
                         self->queue_.clear();
                         self->queued_bytes_ = 0;
                         return;
                       }
                       if (!self->queue_.empty()) self->Write();
                     });
  }

  CentralSystem& cs_;
  std::shared_ptr<std::size_t> open_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxHeaderBytes};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
  beast::flat_buffer read_buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool closed_ = false;
  std::string station_, site_;
  bool free_vend_ = false;
  std::size_t awaiting_answers_ = 0;
  std::chrono::steady_clock::time_point touched_{};
  struct PendingCall {
    std::chrono::steady_clock::time_point deadline;
    std::function<void(std::optional<Json>)> done;
  };
  std::map<std::string, PendingCall> calls_;
  std::uint64_t next_call_id_ = 0;
};

// One request of ems-api on the control endpoint (docs/ocpp.md): POST
// /stations/{station}/remote-start|remote-stop with the shared secret as bearer token.
class ControlRequest : public std::enable_shared_from_this<ControlRequest> {
 public:
  ControlRequest(CentralSystem& cs, tcp::socket socket) : cs_(cs), stream_(std::move(socket)) {}

  void Start() {
    ReadRequest(stream_, buffer_, parser_, kMaxControlBody,
                [self = shared_from_this()](beast::error_code ec) {
                  if (!ec) self->OnRequest();
                });
  }

 private:
  void Answer(int status, const Json& body) {
    RespondAndClose(stream_, static_cast<http::status>(status), body.dump(), shared_from_this());
  }

  void OnRequest() {
    const auto& req = parser_->get();
    const std::string expected = "Bearer " + cs_.options_.control_secret;
    const auto given = req[http::field::authorization];
    if (cs_.options_.control_secret.empty() || given.size() != expected.size() ||
        sodium_memcmp(given.data(), expected.data(), expected.size()) != 0) {
      return Answer(401, Json::parse(ErrorBody("Wrong control secret.")));
    }
    const std::string_view target = req.target();
    constexpr std::string_view kPath = "/stations/";
    const auto slash = target.find('/', kPath.size());
    if (req.method() != http::verb::post || !target.starts_with(kPath) ||
        slash == std::string_view::npos) {
      return Answer(404, Json::parse(ErrorBody("No such control route.")));
    }
    const std::string station(target.substr(kPath.size(), slash - kPath.size()));
    const std::string command(target.substr(slash + 1));
    Json body = Json::object();
    if (!req.body().empty()) {
      auto parsed = codec::ParseObject(req.body(), kMaxControlBody);
      if (!parsed) return Answer(400, Json::parse(ErrorBody(parsed.error().message)));
      body = std::move(*parsed);
    }
    cs_.RemoteCommand(station, command, body,
                      [self = shared_from_this()](int status, const Json& answer) {
                        self->Answer(status, answer);
                      });
  }

  CentralSystem& cs_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + kMaxControlBody};
  std::optional<http::request_parser<http::string_body>> parser_;
};

CentralSystem::CentralSystem(net::io_context& io, std::unique_ptr<store::Store> store,
                             CentralSystemOptions options, PublishFn publish)
    : io_(io),
      store_(std::move(store)),
      options_(std::move(options)),
      publish_(std::move(publish)),
      acceptor_(io),
      control_acceptor_(io),
      tick_(io) {
  try {
    store_->Ocpp().DisconnectAll();
  } catch (const std::exception& e) {
    // What the charger list shows, recorded again as chargers connect: no reason not to start.
    log::Warn(std::string("cannot mark the chargers disconnected: ") + e.what());
  }
}

CentralSystem::~CentralSystem() { hashing_.join(); }

void CentralSystem::Listen(const tcp::endpoint& ocpp, const tcp::endpoint& control) {
  for (auto [acceptor, endpoint] : {std::pair{&acceptor_, ocpp}, {&control_acceptor_, control}}) {
    acceptor->open(endpoint.protocol());
    acceptor->set_option(net::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen();
  }
  Accept();
  AcceptControl();
  Tick();
}

tcp::endpoint CentralSystem::ocpp_endpoint() const { return acceptor_.local_endpoint(); }

void CentralSystem::Shutdown() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  control_acceptor_.close(ignored);
  tick_.cancel();
  for (auto& [station, c] : connections_) c->Close(websocket::close_code::going_away);
}

void CentralSystem::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping_) Accept();
      return;
    }
    if (*open_ >= options_.max_connections) {
      log::WarnThrottled("ocpp-full", "too many OCPP connections; refusing new ones");
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Connection>(*this, std::move(socket))->Start();
    }
    Accept();
  });
}

void CentralSystem::AcceptControl() {
  control_acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping_) AcceptControl();
      return;
    }
    std::make_shared<ControlRequest>(*this, std::move(socket))->Start();
    AcceptControl();
  });
}

void CentralSystem::Authenticate(std::shared_ptr<Connection> c, std::string station,
                                 std::string password) {
  auto credentials = store_->Ocpp().Credentials(station);
  if (!credentials) {
    return c->Refuse(http::status::unauthorized, "Unknown station or wrong password.", true);
  }
  // The slow hash runs on the pool, never on the loop every charger shares.
  net::post(hashing_, [this, c = std::move(c), password = std::move(password),
                       credentials = std::move(*credentials)]() mutable {
    const bool ok = auth::VerifyPassword(password, credentials.password_hash);
    net::post(io_, [c = std::move(c), ok, site = std::move(credentials.site_id)]() mutable {
      if (!ok) {
        return c->Refuse(http::status::unauthorized, "Unknown station or wrong password.", true);
      }
      if (!OffersProtocol(c->parser_->get()[http::field::sec_websocket_protocol], kSubprotocol)) {
        return c->Refuse(http::status::bad_request,
                         "The WebSocket subprotocol must be ocpp1.6 (OCPP 1.6J).");
      }
      c->site_ = std::move(site);
      c->Upgrade();
    });
  });
}

void CentralSystem::Attach(const std::shared_ptr<Connection>& c) {
  auto& slot = connections_[c->station_];
  if (slot) {
    log::Info("charger " + c->station_ + " connected again; closing its old connection");
    slot->Close(websocket::close_code::policy_error);
  }
  slot = c;
  options_.on_connected(connections_.size());
  c->touched_ = std::chrono::steady_clock::now();
  MarkConnected(c->station_, true);
  log::Info("charger " + c->station_ + " connected (site " + c->site_ + ")");
}

void CentralSystem::Detach(Connection* c) {
  const auto it = connections_.find(c->station_);
  if (it == connections_.end() || it->second.get() != c) return;  // replaced already
  connections_.erase(it);
  options_.on_connected(connections_.size());
  MarkConnected(c->station_, false);
  log::Info("charger " + c->station_ + " disconnected");
}

void CentralSystem::MarkConnected(const std::string& station, bool connected) {
  try {
    store_->Ocpp().SetConnected(station, connected, Now());
  } catch (const std::exception& e) {
    // Only what the charger list shows; the next call or connection records it again.
    log::WarnThrottled("ocpp-connected", "cannot record charger " + station + " as " +
                                             (connected ? "connected: " : "disconnected: ") +
                                             e.what());
  }
}

void CentralSystem::Tick() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [station, c] : connections_) c->ExpireCalls(now);
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](beast::error_code ec) {
    if (!ec && !stopping_) Tick();
  });
}

void CentralSystem::Publish(Message m) {
  publish_(m.topic, m.payload, m.retained, [](bool) {});
}

void CentralSystem::PublishThenAnswer(const std::shared_ptr<Connection>& c, const std::string& id,
                                      std::vector<Message> messages, Json answer) {
  struct Pending {
    std::weak_ptr<Connection> connection;
    std::string id;
    Json answer;
    std::size_t remaining;
    bool failed = false;
  };
  if (messages.empty()) return c->Send(EncodeCallResult(id, answer));
  ++c->awaiting_answers_;
  auto pending =
      std::make_shared<Pending>(Pending{c, id, std::move(answer), messages.size(), false});
  for (auto& m : messages) {
    publish_(m.topic, m.payload, m.retained, [this, pending](bool ok) {
      net::post(io_, [pending, ok] {
        pending->failed = pending->failed || !ok;
        if (--pending->remaining > 0) return;
        auto c = pending->connection.lock();
        if (!c) return;  // the charger sends it again on its next connection
        --c->awaiting_answers_;
        c->Send(pending->failed ? EncodeCallError(pending->id, "InternalError",
                                                  "The message could not be stored; send it "
                                                  "again.")
                                : EncodeCallResult(pending->id, pending->answer));
      });
    });
  }
}

bool CentralSystem::Accepts(Connection& c, const std::string& id_tag,
                            std::optional<std::string>* vehicle) {
  *vehicle = store_->Ocpp().VehicleWithIdTag(c.site_, id_tag);
  if (*vehicle) return true;
  const auto charger = store_->Ocpp().Get(c.station_);
  if (charger && charger->free_vend) return true;
  return remote_tags_[c.station_].contains(id_tag);
}

ChargingSession CentralSystem::Session(const std::string& site, const store::OcppTransaction& tx,
                                       double meter_wh, std::optional<Timestamp> ended_at) {
  // The prices valid while the session ran (prices with validity, docs/contract.md §4.1).
  const auto tariff = store_->Tariffs().Get(site, tx.started_at, Timestamp::max());
  return SessionOf({tx.station_id, site, tx.transaction_id, tx.connector, tx.vehicle_id,
                    tx.started_at, tx.meter_start_wh, meter_wh, ended_at},
                   tariff ? &*tariff : nullptr, options_.default_currency, Now());
}

void CentralSystem::OnCall(const std::shared_ptr<Connection>& c, const std::string& id,
                           const std::string& action, const Json& payload) {
  options_.on_call(action);
  const auto now = Now();
  const auto& station = c->station_;
  const auto& site = c->site_;
  if (std::chrono::steady_clock::now() - c->touched_ > kTouchEvery) {
    c->touched_ = std::chrono::steady_clock::now();
    MarkConnected(station, true);
  }
  if (c->awaiting_answers_ >= kMaxAwaitingAnswers) {
    return c->Send(EncodeCallError(id, "GenericError", "Too many requests awaiting an answer."));
  }
  auto refuse = [&](const Reject& r) {
    c->Send(EncodeCallError(id, "FormationViolation", r.message));
  };
  const auto telemetry_topic = mqtt::TelemetryTopic(options_.prefix, site, station);
  const auto sessions_topic = mqtt::SessionsTopic(options_.prefix, site, station);
  auto telemetry = [&](const Telemetry& t) {
    return Message{telemetry_topic, codec::EncodeTelemetry(t), false};
  };
  auto session = [&](const ChargingSession& s) {
    return Message{sessions_topic, codec::EncodeSessionPayload(s), false};
  };

  if (action == "BootNotification") {
    auto boot = DecodeBootNotification(payload);
    if (!boot) return refuse(boot.error());
    store_->Ocpp().RecordBoot(station, {boot->vendor, boot->model, boot->serial, boot->firmware},
                              now);
    if (auto device = store_->Devices().Get(station, store::Visibility::All())) {
      const auto meta = StationMeta({device->type, device->name, device->properties}, *boot);
      Publish(
          {mqtt::MetaTopic(options_.prefix, site, station), codec::EncodeMeta(meta).dump(), true});
    }
    log::Info("charger " + station + " booted: " + boot->vendor + " " + boot->model);
    c->Send(EncodeCallResult(id, {{"status", "Accepted"},
                                  {"currentTime", FormatTimestamp(now)},
                                  {"interval", options_.heartbeat.count()}}));
    return SendProfilesOf(station);
  }
  if (action == "Heartbeat") {
    return c->Send(EncodeCallResult(id, {{"currentTime", FormatTimestamp(now)}}));
  }
  if (action == "StatusNotification") {
    auto status = DecodeStatusNotification(payload);
    if (!status) return refuse(status.error());
    Publish(telemetry(StatusTelemetry(*status, now)));
    return c->Send(EncodeCallResult(id, Json::object()));
  }
  if (action == "Authorize") {
    auto tag = codec::RequiredString(payload, "idTag", ErrorCode::kInvalidJson);
    if (!tag) return refuse(tag.error());
    std::optional<std::string> vehicle;
    const bool ok = Accepts(*c, *tag, &vehicle);
    return c->Send(
        EncodeCallResult(id, {{"idTagInfo", {{"status", ok ? "Accepted" : "Invalid"}}}}));
  }
  if (action == "StartTransaction") {
    auto start = DecodeStartTransaction(payload);
    if (!start) return refuse(start.error());
    std::optional<std::string> vehicle;
    const bool ok = Accepts(*c, start->id_tag, &vehicle);
    remote_tags_[station].erase(start->id_tag);
    // Persisted before anything is sent: the id is never given again, whatever happens next.
    const auto tx = store_->Ocpp().Start(
        {station, 0, start->connector, start->id_tag, vehicle, start->meter_start_wh, start->ts});
    std::vector<Message> out{
        session(Session(site, tx, static_cast<double>(tx.meter_start_wh), std::nullopt))};
    return PublishThenAnswer(c, id, std::move(out),
                             {{"transactionId", tx.transaction_id},
                              {"idTagInfo", {{"status", ok ? "Accepted" : "Invalid"}}}});
  }
  if (action == "MeterValues") {
    auto values = DecodeMeterValues(payload);
    if (!values) return refuse(values.error());
    std::vector<Message> out;
    std::optional<double> register_wh;
    for (const auto& r : values->readings) {
      out.push_back(telemetry(ReadingTelemetry(r)));
      for (const auto& m : r.metrics) {
        if (m.name == "energy_wh") register_wh = m.value;
      }
    }
    if (values->transaction_id && register_wh) {
      if (auto tx = store_->Ocpp().Transaction(station, *values->transaction_id)) {
        out.push_back(session(Session(site, *tx, *register_wh, std::nullopt)));
      }
    }
    return PublishThenAnswer(c, id, std::move(out), Json::object());
  }
  if (action == "StopTransaction") {
    auto stop = DecodeStopTransaction(payload);
    if (!stop) return refuse(stop.error());
    std::vector<Message> out;
    for (const auto& r : stop->transaction_data) out.push_back(telemetry(ReadingTelemetry(r)));
    Json answer = Json::object();
    if (payload.contains("idTag")) answer["idTagInfo"] = {{"status", "Accepted"}};
    if (auto tx = store_->Ocpp().Transaction(station, stop->transaction_id)) {
      store_->Ocpp().Stop(station, tx->transaction_id, stop->ts);
      out.push_back(session(Session(site, *tx, static_cast<double>(stop->meter_stop_wh),
                                    std::max(stop->ts, tx->started_at))));
    } else {
      // Answered all the same: a charger retries a refused StopTransaction forever.
      log::Warn("charger " + station + " stopped unknown transaction " +
                std::to_string(stop->transaction_id));
    }
    return PublishThenAnswer(c, id, std::move(out), std::move(answer));
  }
  if (action == "DataTransfer") {
    return c->Send(EncodeCallResult(id, {{"status", "UnknownVendorId"}}));
  }
  c->Send(EncodeCallError(id, "NotImplemented", "ems-ocpp does not implement " + action + "."));
}

void CentralSystem::OnSchedule(const std::string& ev, const std::string& payload) {
  if (payload.empty()) {
    schedules_.erase(ev);
  } else {
    auto view = codec::DecodeScheduleView(payload);
    if (!view) {
      log::WarnThrottled("ocpp-schedule",
                         "unreadable schedule of " + ev + ": " + view.error().message);
      return;
    }
    schedules_[ev] = std::move(*view);
  }
  SendProfile(ev);
}

void CentralSystem::SendProfile(const std::string& ev) {
  const auto device = store_->Devices().Get(ev, store::Visibility::All());
  if (!device || device->type != DeviceType::kEv) return;
  const auto station_it = device->properties.find("station_id");
  if (station_it == device->properties.end() || !station_it->is_string()) return;
  const auto station = station_it->get<std::string>();
  const auto conn = connections_.find(station);
  if (conn == connections_.end()) return;
  const auto params = codec::DecodeEvParams(device->properties);
  if (!params) return;
  const auto schedule = schedules_.find(ev);
  const auto profile = schedule == schedules_.end()
                           ? std::nullopt
                           : ChargingProfileOf(schedule->second, params->max_charge_w, Now());
  const std::string action = profile ? "SetChargingProfile" : "ClearChargingProfile";
  std::weak_ptr<Connection> weak = conn->second;
  conn->second->Call(
      action, profile ? *profile : ClearChargingProfile(),
      [this, weak, action, ev, station](std::optional<Json> answer) {
        std::string status = "NoAnswer";
        if (answer && answer->contains("status") && (*answer)["status"].is_string()) {
          status = (*answer)["status"].get<std::string>();
        }
        log::Info(action + " of EV " + ev + " to charger " + station + ": " + status);
        // Visible as the station's state (GET /devices/{station}).
        auto c = weak.lock();
        if (!c) return;
        Telemetry t;
        t.ts = Now();
        t.state["charging_profile"] = status;
        t.state["charging_profile_ev"] = ev;
        Publish({mqtt::TelemetryTopic(options_.prefix, c->site(), station),
                 codec::EncodeTelemetry(t), false});
      });
}

void CentralSystem::SendProfilesOf(const std::string& station) {
  for (const auto& [ev, schedule] : schedules_) {
    const auto device = store_->Devices().Get(ev, store::Visibility::All());
    if (!device) continue;
    const auto it = device->properties.find("station_id");
    if (it != device->properties.end() && *it == station) SendProfile(ev);
  }
}

void CentralSystem::RemoteCommand(const std::string& station, const std::string& command,
                                  const Json& body, std::function<void(int, const Json&)> answer) {
  auto error = [&](int status, const std::string& message) {
    answer(status, Json::parse(ErrorBody(message)));
  };
  const auto conn = connections_.find(station);
  if (conn == connections_.end()) {
    return error(409, "Station " + station + " is not connected.");
  }
  auto connector = codec::OptionalInteger(body, "connector", ErrorCode::kInvalidJson);
  if (!connector || (*connector && (**connector < 1 || **connector > 1000))) {
    return error(422, "Field 'connector' must be a connector number (1 or more).");
  }
  std::string action;
  Json payload;
  if (command == "remote-start") {
    auto tag = codec::OptionalString(body, "id_tag", ErrorCode::kInvalidJson);
    if (!tag || (*tag && ((*tag)->empty() || (*tag)->size() > 20))) {
      return error(422, "Field 'id_tag' must be 1 to 20 characters.");
    }
    const std::string id_tag = tag->value_or("ems-remote");
    remote_tags_[station].insert(id_tag);
    action = "RemoteStartTransaction";
    payload = {{"idTag", id_tag}};
    if (*connector) payload["connectorId"] = **connector;
  } else if (command == "remote-stop") {
    const auto tx = store_->Ocpp().Running(station, *connector);
    if (!tx) return error(409, "Station " + station + " has no transaction running.");
    action = "RemoteStopTransaction";
    payload = {{"transactionId", tx->transaction_id}};
  } else {
    return error(404, "No such control route.");
  }
  conn->second->Call(action, payload, [answer, station, action](std::optional<Json> result) {
    if (!result || !result->contains("status") || !(*result)["status"].is_string()) {
      return answer(
          504, Json{{"status", "error"}, {"message", "Station " + station + " did not answer."}});
    }
    log::Info(action + " to charger " + station + ": " + (*result)["status"].get<std::string>());
    answer(202, Json{{"status", (*result)["status"]}});
  });
}

}  // namespace ems::ocpp

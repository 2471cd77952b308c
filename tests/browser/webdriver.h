// A headless Chromium driven through chromedriver's W3C WebDriver protocol (JSON over HTTP, spoken
// with httplib::Client): what the browser tests need of a person's browser — open a page, find
// elements by CSS selector, read their text, type, click, take a screenshot, notice an alert.
// Chromium runs with a fresh profile in a temporary folder, optionally with JavaScript off.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"

namespace ems::testing {

// True when /usr/bin/chromium and /usr/bin/chromedriver are installed.
bool ChromiumInstalled();

class Browser {
 public:
  // Starts chromedriver on a free port and a browser session; `javascript` false disables it for
  // every page (Chromium's content setting).
  Browser(const std::string& dir, bool javascript);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void Go(const std::string& url);
  std::string Url();
  std::string Title();
  std::string Source();
  // The element ids of every match of a CSS selector, in document order.
  std::vector<std::string> FindAll(const std::string& css);
  // The first match; fails the test when there is none.
  std::string Find(const std::string& css);
  bool Exists(const std::string& css) { return !FindAll(css).empty(); }
  // The rendered text of the first match.
  std::string Text(const std::string& css);
  std::string Attribute(const std::string& css, const std::string& name);
  void Type(const std::string& css, const std::string& text);
  void Click(const std::string& css);
  // Clicks a link or a form's button and waits until the page it leads to replaced this one.
  void Follow(const std::string& css);
  // The text of an open alert, confirm or prompt dialog, if one is open.
  std::optional<std::string> AlertText();
  void Screenshot(const std::string& png_path);
  void SetWindowSize(int width, int height);

 private:
  // Ends every process of this browser's profile (chromium outlives a chromedriver that stops
  // abruptly), found by the profile folder on its command line.
  void EndBrowser();
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr, bool may_fail = false);

  TempDir profile_;
  int port_;
  std::unique_ptr<Process> driver_;
  std::unique_ptr<httplib::Client> client_;
  std::string session_;
};

}  // namespace ems::testing

// Refreshes the live figures of a dashboard page from the JSON API every 15 s. The pages never
// need it: without JavaScript they reload themselves every minute (docs/dashboard.md).
"use strict";
(function () {
  // As the server writes them (api/pages/page.cpp Power).
  function power(w) {
    if (Math.abs(w) >= 1000) return (w / 1000).toFixed(2) + " kW";
    const text = w.toFixed(0) + " W";
    return text === "-0 W" ? "0 W" : text;
  }
  function number(v) {
    return String(Math.round(v * 100) / 100);
  }
  function refresh(section) {
    fetch(section.dataset.summary, { credentials: "same-origin", cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        section.querySelectorAll("[data-field]").forEach(function (el) {
          const v = s[el.dataset.field];
          if (typeof v !== "number") return;
          el.textContent = el.dataset.field.endsWith("_w") ? power(v) : String(v);
        });
        (s.storage || []).forEach(function (st) {
          section.querySelectorAll("[data-soc]").forEach(function (el) {
            if (el.dataset.soc !== st.device_id) return;
            el.textContent = st.soc_pct === null ? "no recent soc" : number(st.soc_pct) + "%";
          });
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll("[data-summary]").forEach(function (section) {
    setInterval(function () { refresh(section); }, 15000);
  });
})();

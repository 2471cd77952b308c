// Route registration, one function per resource (files beside this one). Every route is a named
// handler (api/http.h), registered with the access it needs.
#pragma once

#include "api/http.h"

namespace ems::api {

void RegisterSystemRoutes(Router& router);    // /health, /openapi.json, /docs
void RegisterAuthRoutes(Router& router);      // /api/v1/auth/login, /api/v1/me, my password
void RegisterUserRoutes(Router& router);      // /api/v1/users
void RegisterSessionRoutes(Router& router);   // /api/v1/sessions, /api/v1/stations
void RegisterIngestRoutes(Router& router);    // /api/v1/ingest/*
void RegisterScheduleRoutes(Router& router);  // EV charging schedules
void RegisterContractRoutes(Router& router);  // /api/v1/contracts, /event
void RegisterSiteRoutes(Router& router);      // /api/v1/sites, site and fleet energy
void RegisterDeviceRoutes(Router& router);    // devices (a site's and the fleet), metrics, series
void RegisterSubscriptionRoutes(Router& router);  // /api/v1/subscriptions and their series

// The OpenAPI 3 document served at /openapi.json (api/openapi/*.json, compiled in and merged).
const Json& OpenApiDocument();

}  // namespace ems::api

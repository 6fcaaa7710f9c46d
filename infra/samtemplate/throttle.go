package samtemplate

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Throttle is one of API Gateway's token buckets: Rate requests per second refill it, up to
// Burst requests at once.
type Throttle struct {
	Rate  float64
	Burst int
}

// Throttles are the HTTP API stage's throttles. In an HTTP API, Default (DefaultRouteSettings)
// gives each route a bucket of its own rather than one for the whole stage; Routes
// (RouteSettings, by route key such as "POST /v1/auth/login") replace it for the routes they
// name. A nil Default leaves the other routes unthrottled.
type Throttles struct {
	Default *Throttle
	Routes  map[string]Throttle
}

// Throttles reads the HttpApi's DefaultRouteSettings and RouteSettings, resolving their
// expressions with refs as Resolve does (a parameter missing from refs takes its Default).
// A route key that names no route is an error, as CloudFormation makes it.
func (t *Template) Throttles(refs map[string]string) (Throttles, error) {
	api := t.HTTPAPI
	var out Throttles
	def, ok, err := t.throttle(get(api.Properties, "DefaultRouteSettings"), refs)
	if err != nil {
		return Throttles{}, fmt.Errorf("%s: DefaultRouteSettings: %w", api.LogicalID, err)
	}
	if ok {
		out.Default = &def
	}
	keys := t.routeKeys()
	for key, settings := range pairs(get(api.Properties, "RouteSettings")) {
		if !keys[key] {
			return Throttles{}, fmt.Errorf("%s: RouteSettings %q: no such route (a key is \"METHOD /path\" as in the function's event)", api.LogicalID, key)
		}
		th, ok, err := t.throttle(settings, refs)
		if err != nil {
			return Throttles{}, fmt.Errorf("%s: RouteSettings %q: %w", api.LogicalID, key, err)
		}
		if !ok {
			continue
		}
		if out.Routes == nil {
			out.Routes = map[string]Throttle{}
		}
		out.Routes[key] = th
	}
	return out, nil
}

// throttle reads one route settings mapping; ok is false when it sets no throttle. Rate and
// burst go together: the local gateway has no account-level limit to fall back on for the
// one left out.
func (t *Template) throttle(settings *yaml.Node, refs map[string]string) (th Throttle, ok bool, err error) {
	if settings == nil {
		return Throttle{}, false, nil
	}
	if settings.Kind != yaml.MappingNode {
		return Throttle{}, false, fmt.Errorf("line %d: want a mapping", settings.Line)
	}
	rateNode, burstNode := get(settings, "ThrottlingRateLimit"), get(settings, "ThrottlingBurstLimit")
	switch {
	case rateNode == nil && burstNode == nil:
		return Throttle{}, false, nil
	case rateNode == nil || burstNode == nil:
		return Throttle{}, false, errors.New("set both ThrottlingRateLimit and ThrottlingBurstLimit, or neither")
	}
	rate, err := t.resolve(rateNode, refs)
	if err != nil {
		return Throttle{}, false, fmt.Errorf("ThrottlingRateLimit: %w", err)
	}
	if th.Rate, err = strconv.ParseFloat(rate, 64); err != nil || th.Rate < 0 || math.IsInf(th.Rate, 0) || math.IsNaN(th.Rate) {
		return Throttle{}, false, fmt.Errorf("ThrottlingRateLimit %q: want a number of requests per second, 0 or more", rate)
	}
	burst, err := t.resolve(burstNode, refs)
	if err != nil {
		return Throttle{}, false, fmt.Errorf("ThrottlingBurstLimit: %w", err)
	}
	if th.Burst, err = strconv.Atoi(burst); err != nil || th.Burst < 0 {
		return Throttle{}, false, fmt.Errorf("ThrottlingBurstLimit %q: want a whole number of requests, 0 or more", burst)
	}
	return th, true, nil
}

// routeKeys are API Gateway's keys of the template's routes: "GET /v1/users", "$default".
func (t *Template) routeKeys() map[string]bool {
	keys := map[string]bool{}
	for _, fn := range t.Functions {
		for _, r := range fn.Routes {
			keys[r.Key()] = true
		}
	}
	return keys
}

// Key is the route's key in API Gateway ("POST /v1/auth/login"), which RouteSettings use.
func (r Route) Key() string {
	if r.Path == "$default" {
		return r.Path
	}
	return r.Method + " " + r.Path
}

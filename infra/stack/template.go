package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roster-dev/roster/infra/gateway"
	"github.com/roster-dev/roster/infra/samtemplate"
)

// checkParameters refuses overrides of parameters the template does not declare, as
// CloudFormation does, so that a misspelt name does not silently leave the default in place.
func checkParameters(tmpl *samtemplate.Template, overrides map[string]string) error {
	var unknown []string
	for name := range overrides {
		if _, ok := tmpl.Parameters[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("parameter overrides name no parameter of %s: %s", tmpl.Path, strings.Join(unknown, ", "))
	}
	return nil
}

// gatewayThrottles are the HttpApi's stage and route throttles, for the local gateway.
func gatewayThrottles(tmpl *samtemplate.Template, refs map[string]string) (gateway.Throttles, error) {
	th, err := tmpl.Throttles(refs)
	if err != nil {
		return gateway.Throttles{}, err
	}
	var out gateway.Throttles
	if th.Default != nil {
		out.Default = &gateway.Throttle{Rate: th.Default.Rate, Burst: th.Default.Burst}
	}
	for key, r := range th.Routes {
		if out.Routes == nil {
			out.Routes = map[string]gateway.Throttle{}
		}
		out.Routes[key] = gateway.Throttle{Rate: r.Rate, Burst: r.Burst}
	}
	return out, nil
}

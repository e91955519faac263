package top

import (
	"context"

	"svman/api"
	"svman/apiclient"
	"svman/internal/modview"
	"svman/logfiles"
)

// Backend is what svman top asks of svman: its control API
// (apiclient.Client), and nothing else.
type Backend interface {
	Modules(ctx context.Context) ([]modview.Status, error)
	ModulesNamed(ctx context.Context, modules []string) ([]modview.Status, error)
	Usage(ctx context.Context) ([]api.Usage, error)
	Act(ctx context.Context, modules []string, action string) ([]modview.Status, error)
	Diff(ctx context.Context) (api.Plan, error)
	Reload(ctx context.Context) (api.Plan, error)
	Events(ctx context.Context, opened func(), fn func(api.Event)) error
	Logs(ctx context.Context, q apiclient.LogQuery, fn func(logfiles.Line)) error
}

var _ Backend = (*apiclient.Client)(nil)

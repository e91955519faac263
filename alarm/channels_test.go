package alarm

import (
	"slices"
	"testing"
)

// Names lists the channels in use in the order Send starts them, and Describe
// names each for a person without the webhook's URL.
func TestChannelNames(t *testing.T) {
	ch := Channels{
		Mail:    []string{"ops@example.com", "dev@example.com"},
		Webhook: "https://hooks.example.com/T0KEN",
		Exec:    []string{"./notify-sms", "13900000000"},
	}
	if got, want := ch.Names(), []string{ChannelMail, ChannelWebhook, ChannelExec}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	for name, want := range map[string]string{
		ChannelMail:    "mail to ops@example.com, dev@example.com",
		ChannelWebhook: "webhook",
		ChannelExec:    "exec ./notify-sms",
	} {
		if got := ch.Describe(name); got != want {
			t.Errorf("Describe(%q) = %q, want %q", name, got, want)
		}
	}
	if got := (Channels{Dir: "/srv"}).Names(); len(got) != 0 {
		t.Errorf("Names() of no channel = %q", got)
	}
	if got := (Channels{Webhook: "http://127.0.0.1:1/"}).Names(); !slices.Equal(got, []string{ChannelWebhook}) {
		t.Errorf("Names() of a webhook alone = %q", got)
	}
}

package oauth

import "testing"

// TestEveryPermissionIsWordedForTheConsentPage: the consent page says in
// words what each scope an app may ask for lets it do.
func TestEveryPermissionIsWordedForTheConsentPage(t *testing.T) {
	for _, p := range Permissions() {
		if scopeText[string(p)] == "" {
			t.Errorf("scope %q has no text for the consent page (scopeText)", p)
		}
	}
}

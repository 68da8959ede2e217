package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestScoreAPI(t *testing.T) {
	e := newEnv(t, adminToken)
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(e.url+"/api/score", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := post(`{"residents": 1000, "beneficiaries": 500, "participants": 300, "cost": 100000, "cofinancing": 3000,
		"non_monetary": 5000.50, "labour": true, "presentation": false}`)
	crit, _ := out["criteria"].(map[string]any)
	if code != 200 || crit["1.1"] != 20.0 || crit["1.2"] != 20.0 || crit["2.1"] != 20.0 || crit["2.2"] != 10.0 ||
		crit["2.3"] != 5.0 || crit["2.4"] != 10.0 || crit["2.5"] != 0.0 || out["total"] != 85.0 || out["passed"] != true {
		t.Fatalf("%d %v", code, out)
	}
	for body, field := range map[string]string{
		`{"beneficiaries": 1, "participants": 1, "cost": 1, "cofinancing": 0, "non_monetary": 0, "labour": true, "presentation": true}`:                       "residents",
		`{"residents": 10, "beneficiaries": -1, "participants": 1, "cost": 1, "cofinancing": 0, "non_monetary": 0, "labour": true, "presentation": true}`:     "beneficiaries",
		`{"residents": 10, "beneficiaries": 1, "participants": 1, "cost": -1, "cofinancing": 0, "non_monetary": 0, "labour": true, "presentation": true}`:     "cost",
		`{"residents": 10, "beneficiaries": 1, "participants": 1, "cost": 0, "cofinancing": 0, "non_monetary": 0, "labour": true, "presentation": true}`:      "cost",
		`{"residents": 0, "beneficiaries": 1, "participants": 1, "cost": 10, "cofinancing": 0, "non_monetary": 0, "labour": true, "presentation": true}`:      "residents",
		`{"residents": 10, "beneficiaries": 1, "participants": 1, "cost": 10, "cofinancing": 0.001, "non_monetary": 0, "labour": true, "presentation": true}`: "cofinancing",
		`{"residents": 10, "beneficiaries": 1, "participants": 1, "cost": 10, "cofinancing": 0, "non_monetary": 0, "labour": true}`:                           "presentation",
	} {
		code, out := post(body)
		fields, _ := out["fields"].(map[string]any)
		if code != http.StatusUnprocessableEntity || fields[field] == nil {
			t.Errorf("%s: %d %v, want 422 naming %s", body, code, out, field)
		}
	}
	if code, _ := post(`{"residents": "many"}`); code != 400 {
		t.Errorf("wrong type: %d", code)
	}
}

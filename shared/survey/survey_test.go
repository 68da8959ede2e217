package survey

import (
	"errors"
	"strings"
	"testing"
)

func sample() Survey {
	return Survey{ID: "s1", Title: "Что важнее для села?", ProjectIDs: []string{"p1"}, Questions: []Question{
		{ID: "q1", Text: "Какой проект важнее?", Kind: Single, Required: true, Options: []Option{{"a", "Площадка"}, {"b", "Освещение"}}},
		{ID: "q2", Text: "Чем готовы помочь?", Kind: Multiple, Options: []Option{{"work", "Трудом"}, {"money", "Деньгами"}, {"none", "Ничем"}}},
		{ID: "q3", Text: "Ваши предложения", Kind: Text},
	}}
}

func TestValidateDefinition(t *testing.T) {
	yes := func(string) bool { return true }
	if err := sample().Validate(yes); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*Survey){
		"no projects":      func(s *Survey) { s.ProjectIDs = nil },
		"unknown project":  func(s *Survey) { s.ProjectIDs = []string{"nope"} },
		"no questions":     func(s *Survey) { s.Questions = nil },
		"one option":       func(s *Survey) { s.Questions[0].Options = s.Questions[0].Options[:1] },
		"duplicate option": func(s *Survey) { s.Questions[0].Options[1].ID = "a" },
		"bad kind":         func(s *Survey) { s.Questions[0].Kind = "scale" },
		"duplicate id":     func(s *Survey) { s.Questions[1].ID = "q1" },
		"text with options": func(s *Survey) {
			s.Questions[2].Options = []Option{{"x", "y"}}
		},
	}
	for name, edit := range bad {
		s := sample()
		edit(&s)
		if err := s.Validate(func(p string) bool { return p != "nope" }); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckAnswers(t *testing.T) {
	s := sample()
	tests := []struct {
		name    string
		replies map[string]Reply
		want    map[string]string
	}{
		{"all answered", map[string]Reply{"q1": {Choices: []string{"a"}}, "q2": {Choices: []string{"work", "money"}}, "q3": {Text: "Скамейки"}}, nil},
		{"only the required one", map[string]Reply{"q1": {Choices: []string{"b"}}}, nil},
		{"required missing", map[string]Reply{"q2": {Choices: []string{"work"}}}, map[string]string{"q1": Missing}},
		{"required blank", map[string]Reply{"q1": {}}, map[string]string{"q1": Missing}},
		{"two for a single", map[string]Reply{"q1": {Choices: []string{"a", "b"}}}, map[string]string{"q1": OneOnly}},
		{"unknown option", map[string]Reply{"q1": {Choices: []string{"z"}}}, map[string]string{"q1": UnknownOption}},
		{"repeated option", map[string]Reply{"q1": {Choices: []string{"a"}}, "q2": {Choices: []string{"work", "work"}}}, map[string]string{"q2": UnknownOption}},
		{"text too long", map[string]Reply{"q1": {Choices: []string{"a"}}, "q3": {Text: strings.Repeat("я", MaxTextRunes+1)}}, map[string]string{"q3": TooLong}},
		{"no such question", map[string]Reply{"q1": {Choices: []string{"a"}}, "q9": {Text: "x"}}, map[string]string{"q9": Unexpected}},
		{"choices for text", map[string]Reply{"q1": {Choices: []string{"a"}}, "q3": {Choices: []string{"a"}}}, map[string]string{"q3": Unexpected}},
	}
	for _, tt := range tests {
		got := s.Check(tt.replies)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", tt.name, k, got[k], v)
			}
		}
	}
}

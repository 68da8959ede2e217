package catalog

import (
	"time"

	"github.com/sbor-project/sbor/shared/calendar"
	"github.com/sbor-project/sbor/shared/meeting"
	"github.com/sbor-project/sbor/shared/survey"
)

// Demo returns the built-in demonstration catalogue, its collection window
// open around today so a demo kiosk accepts signatures on any date.
func Demo(today calendar.Date) *Catalog {
	from := calendar.Of(time.Date(today.Year, today.Month, today.Day-30, 12, 0, 0, 0, time.UTC))
	to := calendar.Of(time.Date(today.Year, today.Month, today.Day+90, 12, 0, 0, 0, time.UTC))
	chair := Member{ID: "m1", FullName: "Петрова Мария Ивановна", BirthDate: calendar.MustParse("1975-03-14"),
		Document: "паспорт 07 12 345678, выдан ОВД Ипатовского района 01.04.2020", Address: "с. Кевсала, ул. Ленина, д. 5"}
	c := &Catalog{
		Version: 1,
		Territories: []Territory{
			{ID: "t1", Name: "с. Кевсала", Residents: 1001, Resolution: "постановление № 12 от 01.03.2026",
				Streets: []string{"ул. Ленина", "ул. Садовая", "пер. Школьный"}},
			{ID: "t2", Name: "пос. Красочный", Residents: 240, Resolution: "постановление № 13 от 01.03.2026",
				Streets: []string{"ул. Мира", "ул. Степная"}},
		},
		Projects: []Project{
			{ID: "p1", TerritoryID: "t1", Name: "Ремонт детской площадки",
				Description: "Замена качелей и горки, резиновое покрытие, освещение площадки у школы.",
				CollectFrom: from, CollectTo: to, PageURL: "https://sbor.example/p/p1",
				Members: []Member{chair, {ID: "m2", FullName: "Сидоров Пётр Алексеевич", BirthDate: calendar.MustParse("1968-11-02"),
					Document: "паспорт 07 05 112233", Address: "с. Кевсала, ул. Садовая, д. 12"}}},
			{ID: "p2", TerritoryID: "t2", Name: "Освещение улицы Мира",
				Description: "Двенадцать светодиодных фонарей вдоль улицы Мира до остановки.",
				CollectFrom: from, CollectTo: to, PageURL: "https://sbor.example/p/p2",
				Members: []Member{chair}},
		},
	}
	c.Surveys = []survey.Survey{{ID: "s1", Title: "Что важнее благоустроить в этом году?", ProjectIDs: []string{"p1", "p2"},
		Questions: []survey.Question{
			{ID: "q1", Text: "Какой проект вы поддерживаете в первую очередь?", Kind: survey.Single, Required: true,
				Options: []survey.Option{{ID: "p1", Text: "Ремонт детской площадки"}, {ID: "p2", Text: "Освещение улицы Мира"}}},
			{ID: "q2", Text: "Чем вы готовы помочь?", Kind: survey.Multiple,
				Options: []survey.Option{{ID: "work", Text: "Трудом на субботнике"}, {ID: "money", Text: "Деньгами"}, {ID: "none", Text: "Пока ничем"}}},
			{ID: "q3", Text: "Ваши предложения", Kind: survey.Text},
		}}}
	c.Meetings = []meeting.Meeting{{ID: "mt1", Kind: meeting.KindGathering, Date: today, Place: "Дом культуры, ул. Ленина, 1",
		TerritoryID: "t1", Agenda: []string{"p1"}, Chair: chair.FullName, Secretary: "Сидоров Пётр Алексеевич"}}
	c.ApplyDefaults()
	return c
}

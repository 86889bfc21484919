package db

import "time"

// Preview is the case an editor's input would make, for a preview of its public
// page before it is saved: the counterpart of Case.Input. Names of the gemeente,
// province and themes are the caller's to fill in (it knows them without a query).
// Keep it in step with CaseInput. updated is when the preview is made.
func (in CaseInput) Preview(id int64, version int, updated time.Time) Case {
	in.normalize()
	c := Case{
		ID: id, Slug: in.Slug, Title: in.Title, Summary: in.Summary, Body: in.Body,
		GemeenteCode: in.GemeenteCode, Kind: in.Kind, Year: in.Year, Homes: in.Homes, People: in.People,
		Partners: in.Partners, Contact: in.Contact, SourceURL: in.SourceURL, Status: in.Status, Version: version,
		UpdatedAt: updated,
		Stage:     in.Stage, StageDate: in.StageDate, TargetGroups: in.TargetGroups,
		HomesQualifier: in.HomesQualifier, PeopleQualifier: in.PeopleQualifier,
		Financing: in.Financing, LessonsHard: in.LessonsHard, LessonsWorked: in.LessonsWorked,
		SourceChecked: in.SourceChecked, ProvinceCode: in.ProvinceCode,
	}
	for _, t := range in.Themes {
		c.Themes = append(c.Themes, Theme{Slug: t})
	}
	for _, g := range in.RelatedGemeenten {
		c.RelatedGemeenten = append(c.RelatedGemeenten, Gemeente{Code: g}) // names: the caller's
	}
	return c
}

package server

import (
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/supervisionfile/supfile/supervision"
)

// listFilter is the search box and filters of a list of people (Manage
// staff, the supervisees on the home page): a GET form whose query
// parameters (q, role, team, supervisor) are read here, so it works
// without JavaScript and a filtered list can be bookmarked.
type listFilter struct {
	Action, Label string
	Query         string
	Roles         []OptionVM
	Teams         []OptionVM
	Supervisors   []OptionVM
	// Active: something is searched for or filtered on.
	Active bool

	role, team, supervisor string
}

func newListFilter(c *gin.Context, action, label string) *listFilter {
	f := &listFilter{Action: action, Label: label, Query: strings.TrimSpace(c.Query("q")),
		role: c.Query("role"), team: c.Query("team"), supervisor: c.Query("supervisor")}
	f.Active = f.Query != "" || f.role != "" || f.team != "" || f.supervisor != ""
	if len(f.Query) > 200 {
		f.Query = f.Query[:200]
	}
	for _, r := range supervision.RoleCategories {
		l, ok := roleLabels[r]
		if !ok {
			l = string(r)
		}
		f.Roles = append(f.Roles, OptionVM{Value: string(r), Label: l, Checked: string(r) == f.role})
	}
	return f
}

// option adds a choice to a filter's list once, keeping it sorted by label.
func addOption(list *[]OptionVM, value, label, chosen string) {
	for _, o := range *list {
		if o.Value == value {
			return
		}
	}
	*list = append(*list, OptionVM{Value: value, Label: label, Checked: value == chosen})
	sort.SliceStable(*list, func(i, j int) bool { return (*list)[i].Label < (*list)[j].Label })
}

// match says whether a person is in the filtered list: the search matches
// their name, email or job title (any case), and each filter set matches.
// team is the key of their team ("" for none), supervisor their
// supervisor's id ("" for none).
func (f *listFilter) match(st *supervision.Staff, team, supervisor string) bool {
	if f.role != "" && string(st.Role) != f.role {
		return false
	}
	if f.team != "" && team != f.team {
		return false
	}
	if f.supervisor != "" && supervisor != f.supervisor {
		return false
	}
	if f.Query != "" {
		q := strings.ToLower(f.Query)
		if !strings.Contains(strings.ToLower(st.Name), q) && !strings.Contains(strings.ToLower(st.Email), q) &&
			!strings.Contains(strings.ToLower(st.JobTitle), q) {
			return false
		}
	}
	return true
}

package openapi

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/onboardkyb/onboard/internal/kyb"
)

// The README's table of field rules lies between these lines.
const (
	rulesBegin = "<!-- Field rules: generated from internal/kyb/rules.go by go generate ./...; do not edit. -->\n"
	rulesEnd   = "<!-- End of the generated field rules. -->\n"
)

// Readme returns readme with its table of field rules made from kyb's rule
// tables, the ones validation walks.
func Readme(readme []byte) ([]byte, error) {
	begin := bytes.Index(readme, []byte(rulesBegin))
	end := bytes.Index(readme, []byte(rulesEnd))
	if begin < 0 || end < begin {
		return nil, fmt.Errorf("the README has no %q followed by %q", rulesBegin, rulesEnd)
	}
	objects := map[string]kyb.Object{}
	for _, o := range kyb.ProfileObjects() {
		objects[o.Name] = o
	}
	var b bytes.Buffer
	b.WriteString("| Field | Rule |\n| --- | --- |\n")
	var rows func(at string, o kyb.Object)
	rows = func(at string, o kyb.Object) {
		for _, f := range o.Fields {
			fmt.Fprintf(&b, "| `%s%s` | %s |\n", at, f.Name, fieldRule(f))
			switch f.Kind {
			case kyb.FieldObject:
				rows(at+f.Name+".", objects[f.Object])
			case kyb.FieldObjectList:
				rows(at+f.Name+"[i].", objects[f.Object])
			}
		}
	}
	rows("", objects["Profile"])
	return slices.Concat(readme[:begin+len(rulesBegin)], b.Bytes(), readme[end:]), nil
}

// fieldRule says in a few words what a field must be.
func fieldRule(f kyb.Field) string {
	var rule []string
	if f.Required {
		rule = append(rule, "required")
	}
	n := strconv.Itoa(f.Max)
	switch f.Kind {
	case kyb.FieldText:
		rule = append(rule, "free text of at most "+n+" characters")
	case kyb.FieldFileID:
		rule = append(rule, "a file id of at most "+n+" characters")
	case kyb.FieldFileIDList:
		rule = append(rule, "at most "+n+" file ids of at most "+strconv.Itoa(kyb.MaxFileIDLength)+" characters")
	case kyb.FieldPartnerCustomerID:
		rule = append(rule, fmt.Sprintf("%d–%d printable ASCII characters, no spaces", kyb.MinPartnerCustomerID, kyb.MaxPartnerCustomerID))
	case kyb.FieldCountry:
		rule = append(rule, "a country code")
	case kyb.FieldCurrency:
		rule = append(rule, "a currency code")
	case kyb.FieldAmount:
		rule = append(rule, "an amount, at most "+n+" characters")
	case kyb.FieldPhone:
		rule = append(rule, "a phone number")
	case kyb.FieldEmail:
		rule = append(rule, "an email address of at most "+n+" bytes")
	case kyb.FieldWebsite:
		rule = append(rule, "a website URL of at most "+n+" characters")
	case kyb.FieldPastDate:
		rule = append(rule, "a date-time, not in the future")
	case kyb.FieldExpiryDate:
		rule = append(rule, "a date-time after `"+f.After+"`")
	case kyb.FieldBirthDate:
		rule = append(rule, "a date-time in the past, from "+kyb.EarliestBirthDate.Format("2006-01-02")+" on")
	case kyb.FieldObject:
		rule = append(rule, "an object")
		if f.MissingReportsFields {
			rule = append(rule, "when missing, its required fields are reported")
		}
	case kyb.FieldObjectList:
		rule = append(rule, "at most "+n+" objects")
	}
	if f.RequiredWith != "" {
		rule = append(rule, "required when `"+f.RequiredWith+"` is given")
	}
	return strings.Join(rule, "; ")
}

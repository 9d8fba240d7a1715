package kyb

import (
	"reflect"
	"strconv"
	"time"

	"github.com/onboardkyb/onboard/api"
)

// FieldKind is what a profile field holds, and so how ValidateProfile checks it
// and how the OpenAPI document describes it.
type FieldKind uint8

// The kinds of profile field.
const (
	FieldText              FieldKind = iota // free text: Max characters, no control characters
	FieldFileID                             // the file_id of an upload, checked as text of Max characters
	FieldFileIDList                         // at most Max file ids
	FieldPartnerCustomerID                  // MinPartnerCustomerID to MaxPartnerCustomerID printable ASCII characters
	FieldCountry                            // an assigned ISO 3166-1 alpha-2 code or XK
	FieldCurrency                           // an active ISO 4217 code
	FieldAmount                             // a finite JSON number of zero or more, written in at most Max characters
	FieldPhone                              // E.164, valid for its country
	FieldEmail                              // one bare address of at most Max bytes
	FieldWebsite                            // an absolute http or https URL of at most Max characters
	FieldPastDate                           // an RFC 3339 date-time not in the future
	FieldExpiryDate                         // an RFC 3339 date-time later than the field named After
	FieldBirthDate                          // an RFC 3339 date-time in the past, from EarliestBirthDate on
	FieldObject                             // a nested object, described by the Object named Object
	FieldObjectList                         // at most Max nested objects, each the Object named Object
)

// Field is the contract of one field of a profile object: its JSON name,
// what it holds and the rule it must follow, and the sentence the
// documentation says about it.
type Field struct {
	Name     string
	Kind     FieldKind
	Required bool
	// Max is the length in characters (bytes for FieldEmail and
	// FieldAmount) or, for lists, the number of items.
	Max int
	// After names the field an expiry date must come after.
	After string
	// RequiredWith names the field that makes this one required when given.
	RequiredWith string
	// MissingReportsFields, for a required object, reports its required
	// fields rather than the object itself when it is absent.
	MissingReportsFields bool
	// Object names the Object of FieldObject and FieldObjectList.
	Object string
	// Description says what the field means; the documentation adds what
	// its kind and presence imply.
	Description string
}

// MaxItems is the most items a list field may hold, 0 for a field that
// is not a list.
func (f Field) MaxItems() int {
	if f.Kind == FieldObjectList || f.Kind == FieldFileIDList {
		return f.Max
	}
	return 0
}

// MaxLength is the most characters (bytes for FieldEmail and FieldAmount)
// of a valid value of the field, or of each item of a FieldFileIDList;
// 0 when its rule sets no length. A decoder may keep only the first
// MaxLength+1 characters of a longer value: validation reports it too long
// all the same.
func (f Field) MaxLength() int {
	switch f.Kind {
	case FieldFileIDList:
		return MaxFileIDLength
	case FieldPartnerCustomerID:
		return MaxPartnerCustomerID
	case FieldObjectList:
		return 0
	}
	return f.Max
}

// TooManyItems is the message of a list with more than max items.
func TooManyItems(max int) string { return "must have at most " + strconv.Itoa(max) + " items" }

// Object is one object of a profile, with its fields in the order
// ValidateProfile checks them.
type Object struct {
	// Name is the name of its Go type in package api.
	Name string
	// Type is that Go type, whose JSON fields the rules are for.
	Type        reflect.Type
	Description string
	Fields      []Field
}

// rule is a Field with the accessor that reads its value, so that
// validation walks the table without reflection.
type rule[T any] struct {
	Field
	text   func(*T) string
	list   func(*T) []string
	object func(c *checker, at string, f *Field, v *T)
}

// Limits on a profile that other packages show or use.
const (
	MaxBusinessPersons   = 20
	MaxBusinessDocuments = 20
	MinPartnerCustomerID = 20
	MaxPartnerCustomerID = 64
	// MaxFileIDLength bounds every file id field and list item.
	MaxFileIDLength = 64
)

const (
	maxNameLength         = 200
	maxAddressLineLength  = 200
	maxCityLength         = 100
	maxStateLength        = 100
	maxPostcodeLength     = 20
	maxIdentifierLength   = 100
	maxDescriptionLength  = 2000
	maxCategoryCodeLength = 64
	maxURLLength          = 2048
	maxEmailLength        = 254
	maxAmountLength       = 32
)

var profileRules = []rule[api.Profile]{
	{Field: Field{Name: "partner_customer_id", Kind: FieldPartnerCustomerID, Required: true,
		Description: "Your own identifier for the customer. It is unique per partner and makes createCustomer idempotent."},
		text: func(p *api.Profile) string { return p.PartnerCustomerID }},
	{Field: Field{Name: "business_details", Kind: FieldObject, Object: "BusinessDetails", Required: true},
		object: func(c *checker, at string, f *Field, p *api.Profile) {
			checkObject(c, at, f, p.BusinessDetails, businessDetailsRules)
		}},
	{Field: Field{Name: "registration_address", Kind: FieldObject, Object: "RegistrationAddress", Required: true},
		object: func(c *checker, at string, f *Field, p *api.Profile) {
			checkObject(c, at, f, p.RegistrationAddress, registrationAddressRules)
		}},
	{Field: Field{Name: "account_usage", Kind: FieldObject, Object: "AccountUsage"},
		object: func(c *checker, at string, f *Field, p *api.Profile) {
			checkObject(c, at, f, p.AccountUsage, accountUsageRules)
		}},
	{Field: Field{Name: "primary_contact", Kind: FieldObject, Object: "PrimaryContact"},
		object: func(c *checker, at string, f *Field, p *api.Profile) {
			checkObject(c, at, f, p.PrimaryContact, primaryContactRules)
		}},
	{Field: Field{Name: "business_person_list", Kind: FieldObjectList, Object: "BusinessPerson", Max: MaxBusinessPersons,
		Description: "The company's legal representatives."},
		object: func(c *checker, at string, f *Field, p *api.Profile) {
			if len(p.BusinessPersonList) > f.Max {
				c.add(f.Name, api.CodeTooMany, TooManyItems(f.Max))
			}
			for i := range p.BusinessPersonList {
				checkFields(c, at+f.Name+"["+strconv.Itoa(i)+"].", &p.BusinessPersonList[i], businessPersonRules)
			}
		}},
}

var businessDetailsRules = []rule[api.BusinessDetails]{
	{Field: Field{Name: "business_name_english", Kind: FieldText, Max: maxNameLength,
		Description: "The company's name in English, when business_name is in another language or script."},
		text: func(d *api.BusinessDetails) string { return d.BusinessNameEnglish }},
	{Field: Field{Name: "website", Kind: FieldWebsite, Max: maxURLLength,
		Description: "The company's website."},
		text: func(d *api.BusinessDetails) string { return d.Website }},
	{Field: Field{Name: "business_identifier_number", Kind: FieldText, Required: true, Max: maxIdentifierLength,
		Description: "The company's registration number, as issued in business_identifier_country_code."},
		text: func(d *api.BusinessDetails) string { return d.BusinessIdentifierNumber }},
	{Field: Field{Name: "business_identifier_country_code", Kind: FieldCountry, Required: true,
		Description: "The country that issued business_identifier_number."},
		text: func(d *api.BusinessDetails) string { return d.BusinessIdentifierCountryCode }},
	{Field: Field{Name: "business_identifier_document_list", Kind: FieldFileIDList, Max: MaxBusinessDocuments,
		Description: "Ids of uploaded files that prove the registration, such as a certificate of incorporation. Each must be the file_id of a file you uploaded with fileType Business Registration or Article of Association (see createCustomer's 400)."},
		list: func(d *api.BusinessDetails) []string { return d.BusinessIdentifierDocumentList }},
	{Field: Field{Name: "business_name", Kind: FieldText, Required: true, Max: maxNameLength,
		Description: "The company's registered (legal) name."},
		text: func(d *api.BusinessDetails) string { return d.BusinessName }},
	{Field: Field{Name: "business_identifier_start_date", Kind: FieldPastDate,
		Description: "When the registration took effect."},
		text: func(d *api.BusinessDetails) string { return d.BusinessIdentifierStartDate }},
	{Field: Field{Name: "business_identifier_expiry_date", Kind: FieldExpiryDate, After: "business_identifier_start_date",
		Description: "When the registration expires."},
		text: func(d *api.BusinessDetails) string { return d.BusinessIdentifierExpiryDate }},
}

var registrationAddressRules = []rule[api.RegistrationAddress]{
	{Field: Field{Name: "registration_address_line1", Kind: FieldText, Required: true, Max: maxAddressLineLength, Description: "Street and number."},
		text: func(a *api.RegistrationAddress) string { return a.Line1 }},
	{Field: Field{Name: "registration_address_city", Kind: FieldText, Required: true, Max: maxCityLength, Description: "City."},
		text: func(a *api.RegistrationAddress) string { return a.City }},
	{Field: Field{Name: "registration_address_state", Kind: FieldText, Max: maxStateLength, Description: "State, province or region."},
		text: func(a *api.RegistrationAddress) string { return a.State }},
	{Field: Field{Name: "registration_address_postcode", Kind: FieldText, Max: maxPostcodeLength, Description: "Postal code."},
		text: func(a *api.RegistrationAddress) string { return a.Postcode }},
	{Field: Field{Name: "registration_address_country_code", Kind: FieldCountry, Required: true, Description: "Country of registration."},
		text: func(a *api.RegistrationAddress) string { return a.CountryCode }},
}

var accountUsageRules = []rule[api.AccountUsage]{
	{Field: Field{Name: "operating_country", Kind: FieldCountry, Description: "The main country the customer does business in."},
		text: func(u *api.AccountUsage) string { return u.OperatingCountry }},
	{Field: Field{Name: "goods_service_description", Kind: FieldText, Max: maxDescriptionLength, Description: "What the customer sells."},
		text: func(u *api.AccountUsage) string { return u.GoodsServiceDescription }},
	{Field: Field{Name: "industry_category_code", Kind: FieldText, Max: maxCategoryCodeLength, Description: "The customer's industry category code."},
		text: func(u *api.AccountUsage) string { return u.IndustryCategoryCode }},
	// An amount means nothing without its currency.
	{Field: Field{Name: "estimated_monthly_revenue_currency", Kind: FieldCurrency, RequiredWith: "estimated_monthly_revenue_amount",
		Description: "The currency of estimated_monthly_revenue_amount."},
		text: func(u *api.AccountUsage) string { return u.EstimatedMonthlyRevenueCurrency }},
	{Field: Field{Name: "estimated_monthly_revenue_amount", Kind: FieldAmount, Max: maxAmountLength, Description: "Expected monthly revenue."},
		text: func(u *api.AccountUsage) string { return string(u.EstimatedMonthlyRevenueAmount) }},
}

var primaryContactRules = []rule[api.PrimaryContact]{
	{Field: Field{Name: "contact_phone", Kind: FieldPhone, Description: "The customer's phone number."},
		text: func(c *api.PrimaryContact) string { return c.Phone }},
	{Field: Field{Name: "contact_email", Kind: FieldEmail, Max: maxEmailLength, Description: "The customer's email address."},
		text: func(c *api.PrimaryContact) string { return c.Email }},
}

var businessPersonRules = []rule[api.BusinessPerson]{
	{Field: Field{Name: "basic_info", Kind: FieldObject, Object: "BasicInfo", Required: true, MissingReportsFields: true},
		object: func(c *checker, at string, f *Field, p *api.BusinessPerson) {
			checkObject(c, at, f, p.BasicInfo, basicInfoRules)
		}},
	{Field: Field{Name: "residential_address", Kind: FieldObject, Object: "ResidentialAddress"},
		object: func(c *checker, at string, f *Field, p *api.BusinessPerson) {
			checkObject(c, at, f, p.ResidentialAddress, residentialAddressRules)
		}},
	{Field: Field{Name: "identification", Kind: FieldObject, Object: "Identification"},
		object: func(c *checker, at string, f *Field, p *api.BusinessPerson) {
			checkObject(c, at, f, p.Identification, identificationRules)
		}},
}

var basicInfoRules = []rule[api.BasicInfo]{
	{Field: Field{Name: "first_name_english", Kind: FieldText, Max: maxNameLength, Description: "First name in English, when first_name is in another language or script."},
		text: func(b *api.BasicInfo) string { return b.FirstNameEnglish }},
	{Field: Field{Name: "last_name_english", Kind: FieldText, Max: maxNameLength, Description: "Last name in English, when last_name is in another language or script."},
		text: func(b *api.BasicInfo) string { return b.LastNameEnglish }},
	{Field: Field{Name: "birth_date", Kind: FieldBirthDate, Description: "Date of birth."},
		text: func(b *api.BasicInfo) string { return b.BirthDate }},
	{Field: Field{Name: "nationality", Kind: FieldCountry, Description: "The person's nationality."},
		text: func(b *api.BasicInfo) string { return b.Nationality }},
	{Field: Field{Name: "first_name", Kind: FieldText, Required: true, Max: maxNameLength, Description: "First name, as on the identity document."},
		text: func(b *api.BasicInfo) string { return b.FirstName }},
	{Field: Field{Name: "last_name", Kind: FieldText, Required: true, Max: maxNameLength, Description: "Last name, as on the identity document."},
		text: func(b *api.BasicInfo) string { return b.LastName }},
}

var residentialAddressRules = []rule[api.ResidentialAddress]{
	{Field: Field{Name: "residential_address_line1", Kind: FieldText, Required: true, Max: maxAddressLineLength, Description: "Street and number."},
		text: func(a *api.ResidentialAddress) string { return a.Line1 }},
	{Field: Field{Name: "residential_address_city", Kind: FieldText, Required: true, Max: maxCityLength, Description: "City."},
		text: func(a *api.ResidentialAddress) string { return a.City }},
	{Field: Field{Name: "residential_address_postcode", Kind: FieldText, Max: maxPostcodeLength, Description: "Postal code."},
		text: func(a *api.ResidentialAddress) string { return a.Postcode }},
	{Field: Field{Name: "residential_address_country_code", Kind: FieldCountry, Required: true, Description: "Country of residence."},
		text: func(a *api.ResidentialAddress) string { return a.CountryCode }},
	{Field: Field{Name: "residential_address_state", Kind: FieldText, Max: maxStateLength, Description: "State, province or region."},
		text: func(a *api.ResidentialAddress) string { return a.State }},
}

var identificationRules = []rule[api.Identification]{
	{Field: Field{Name: "id_number", Kind: FieldText, Required: true, Max: maxIdentifierLength, Description: "The document's number."},
		text: func(id *api.Identification) string { return id.IDNumber }},
	{Field: Field{Name: "id_issuing_country_code", Kind: FieldCountry, Description: "The country that issued the document."},
		text: func(id *api.Identification) string { return id.IssuingCountryCode }},
	{Field: Field{Name: "id_issue_date", Kind: FieldPastDate, Description: "When the document was issued."},
		text: func(id *api.Identification) string { return id.IssueDate }},
	{Field: Field{Name: "id_expiration_date", Kind: FieldExpiryDate, After: "id_issue_date", Description: "When the document expires."},
		text: func(id *api.Identification) string { return id.ExpirationDate }},
	{Field: Field{Name: "id_document_front_file_id", Kind: FieldFileID, Max: MaxFileIDLength,
		Description: "Id of the uploaded image of the document's front: the file_id of a file you uploaded with fileType Main page."},
		text: func(id *api.Identification) string { return id.DocumentFrontFileID }},
	{Field: Field{Name: "id_document_back_file_id", Kind: FieldFileID, Max: MaxFileIDLength,
		Description: "Id of the uploaded image of the document's back: the file_id of a file you uploaded with fileType Back page."},
		text: func(id *api.Identification) string { return id.DocumentBackFileID }},
}

// ProfileObjects describes every object of a profile, the profile itself
// first, for the documentation. The tables are the ones ValidateProfile
// walks.
func ProfileObjects() []Object {
	return []Object{
		object("Profile", "The body of createCustomer.", profileRules),
		object("BusinessDetails", "Company details.", businessDetailsRules),
		object("RegistrationAddress", "Where the company is registered.", registrationAddressRules),
		object("AccountUsage", "How the customer expects to use its account.", accountUsageRules),
		object("PrimaryContact", "How to reach the customer.", primaryContactRules),
		object("BusinessPerson", "One legal representative of the company.", businessPersonRules),
		object("BasicInfo", "The person's name and basic facts.", basicInfoRules),
		object("ResidentialAddress", "Where the person lives.", residentialAddressRules),
		object("Identification", "The person's identity document.", identificationRules),
	}
}

func object[T any](name, description string, rules []rule[T]) Object {
	o := Object{Name: name, Type: reflect.TypeFor[T](), Description: description}
	for _, r := range rules {
		o.Fields = append(o.Fields, r.Field)
	}
	return o
}

// checkObject checks a nested object, or reports it missing when required.
func checkObject[T any](c *checker, at string, f *Field, v *T, rules []rule[T]) {
	if v != nil {
		checkFields(c, at+f.Name+".", v, rules)
		return
	}
	switch {
	case !f.Required:
	case f.MissingReportsFields:
		for i := range rules {
			if rules[i].Required {
				c.add(f.Name+"."+rules[i].Name, api.CodeRequired, "is required")
			}
		}
	default:
		c.add(f.Name, api.CodeRequired, "is required")
	}
}

// checkFields checks each field of v in table order; at is the JSON path
// of v with its trailing dot.
func checkFields[T any](c *checker, at string, v *T, rules []rule[T]) {
	outer := c.at
	defer func() { c.at = outer }()
	// The last valid not-future date, for the expiry that must follow it.
	var (
		startName string
		start     time.Time
		hasStart  bool
	)
	for i := range rules {
		r := &rules[i]
		c.at = at
		switch r.Kind {
		case FieldObject, FieldObjectList:
			r.object(c, at, &r.Field, v)
		case FieldFileIDList:
			items := r.list(v)
			if len(items) > r.Max {
				c.add(r.Name, api.CodeTooMany, TooManyItems(r.Max))
			}
			for j, id := range items {
				c.text(r.Name+"["+strconv.Itoa(j)+"]", id, true, MaxFileIDLength)
			}
		default:
			s := r.text(v)
			if s == "" && !r.Required && r.RequiredWith == "" {
				continue
			}
			field := r.Name
			switch r.Kind {
			case FieldText, FieldFileID:
				c.text(field, s, r.Required, r.Max)
			case FieldPartnerCustomerID:
				c.partnerCustomerID(field, s)
			case FieldCountry:
				c.country(field, s, r.Required)
			case FieldCurrency:
				c.currency(field, s, r.Required || given(v, rules, r.RequiredWith))
			case FieldAmount:
				c.amount(field, s, r.Max)
			case FieldPhone:
				c.phone(field, s)
			case FieldEmail:
				c.email(field, s, r.Max)
			case FieldWebsite:
				c.website(field, s, r.Max)
			case FieldPastDate:
				start, hasStart = c.pastDate(field, s)
				startName = r.Name
			case FieldExpiryDate:
				c.expiryDate(field, s, start, hasStart && startName == r.After, r.After)
			case FieldBirthDate:
				c.birthDate(field, s)
			}
		}
	}
}

// given reports whether v's text field of that name is set.
func given[T any](v *T, rules []rule[T], name string) bool {
	for i := range rules {
		if rules[i].Name == name && rules[i].text != nil {
			return rules[i].text(v) != ""
		}
	}
	return false
}

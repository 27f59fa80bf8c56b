package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// KindOrgSettings is the kind of the one settings record an organization
// may have. Organizations are otherwise only a name on API clients; keeping
// their settings as an ordinary record gives them the records table's
// guarantees (durable, shared by every replica, versioned) without a schema
// change on either backend.
const KindOrgSettings = "org_settings"

// OrgSettings are what aosd knows about an organization beyond its name.
// The zero value is an organization nobody has configured.
type OrgSettings struct {
	// ServiceProvider marks an organization that serves its own customers
	// through the product; some services are offered to these only.
	ServiceProvider bool `json:"serviceProvider"`
}

// orgSettingsID is the record id of an organization's settings. Record ids
// are unique across organizations, so the id carries the organization; the
// API's own ids are UUIDs and never start with "org:", so the two cannot
// collide, and no API route reads records of this kind.
func orgSettingsID(org string) string { return "org:" + org }

// GetOrgSettings returns org's settings, the zero value when none were ever
// stored. Pass the transaction of a write that depends on them, so the
// settings read and the write commit together.
func GetOrgSettings(ctx context.Context, rd Reader, org string) (OrgSettings, error) {
	var s OrgSettings
	rec, err := rd.Get(ctx, org, KindOrgSettings, orgSettingsID(org))
	if errors.Is(err, ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(rec.Data, &s); err != nil {
		return s, fmt.Errorf("decode settings of organization %q: %w", org, err)
	}
	return s, nil
}

// putAttempts bounds PutOrgSettings' retries after losing a race to create
// the record; the second attempt finds the record and updates it.
const putAttempts = 3

// PutOrgSettings stores org's settings, creating the record on first use.
func PutOrgSettings(ctx context.Context, st Store, org string, s OrgSettings) error {
	if org == "" {
		return errors.New("store: an organization is required")
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	for range putAttempts {
		err = st.Tx(ctx, func(tx Tx) error {
			rec := &Record{Org: org, Kind: KindOrgSettings, ID: orgSettingsID(org), Name: org, Data: data}
			if _, err := tx.Get(ctx, org, KindOrgSettings, rec.ID); errors.Is(err, ErrNotFound) {
				return tx.Insert(ctx, rec)
			} else if err != nil {
				return err
			}
			return tx.Update(ctx, rec, 0)
		})
		// A concurrent first write inserted the record after this
		// transaction looked; its snapshot (PostgreSQL) cannot see the row,
		// so the next attempt, in a new transaction, updates it.
		if !errors.Is(err, ErrDuplicate) {
			return err
		}
	}
	return err
}

package storage_test

import (
	"testing"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/storetest"
)

func TestHandoverSQLite(t *testing.T) {
	storetest.RunHandoverTests(t, func(t *testing.T) *storage.DB { return newSQLite(t) })
}

func TestHandoverPostgres(t *testing.T) {
	storetest.RunHandoverTests(t, func(t *testing.T) *storage.DB { return newPostgres(t) })
}

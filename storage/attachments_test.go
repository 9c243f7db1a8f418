package storage_test

import (
	"testing"

	"github.com/supervisionfile/supfile/storage"
	"github.com/supervisionfile/supfile/storage/storetest"
)

func TestAttachmentsSQLite(t *testing.T) {
	storetest.RunAttachmentTests(t, func(t *testing.T) *storage.DB { return newSQLite(t) })
}

func TestAttachmentsPostgres(t *testing.T) {
	storetest.RunAttachmentTests(t, func(t *testing.T) *storage.DB { return newPostgres(t) })
}

package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"path/filepath"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"tenderprobe/app/attest"
	"tenderprobe/models"
)

// storeEvidence stages the uploaded file (size and type checked from the
// content), records it in one transaction that also moves the file to its
// final place, and removes the file again if anything fails, so a failed
// upload changes nothing.
func (h *Handler) storeEvidence(c *fiber.Ctx, a *models.Attestation, rid uint) (*models.Evidence, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, invalidInput("file", "no_file")
	}
	lock, err := optionalInt("lock_version", c.FormValue("lock_version"))
	if err != nil {
		return nil, err
	}
	return h.storeEvidenceFile(c, a, rid, fh, lock)
}

// storeEvidenceFile stores the uploaded file fh as evidence of the answer
// to requirement rid, as storeEvidence describes.
func (h *Handler) storeEvidenceFile(c *fiber.Ctx, a *models.Attestation, rid uint, fh *multipart.FileHeader, lock *int) (*models.Evidence, error) {
	u := currentUser(c)
	if fh.Size > attest.MaxEvidenceSize {
		return nil, attest.ErrTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("handlers: open upload: %w", err)
	}
	defer f.Close()
	bom, contentType, err := parseSBOM(f)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("handlers: rewind upload: %w", err)
	}
	staged, err := h.Attest.Store.StageAs(f, contentType)
	if err != nil {
		return nil, err
	}
	ev, err := models.AddFileEvidence(c.UserContext(), h.DB, u, a.ID, rid, models.FileEvidence{
		FileName: utils.CopyString(filepath.Base(fh.Filename)), ContentType: staged.ContentType, Size: staged.Size,
		SHA256: staged.SHA256, StoragePath: filepath.ToSlash(staged.RelPath), SBOM: bom,
	}, lock, staged.Commit, h.now())
	if err != nil {
		staged.Cleanup()
		return nil, err
	}
	return ev, nil
}

// UploadEvidence adds an uploaded file as evidence of one answer.
func (h *Handler) UploadEvidence(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	_, err = h.storeEvidence(c, a, rid)
	if errs, ok := fieldErrors(c, err); ok {
		return h.renderAttestation(c, fiber.StatusUnprocessableEntity, a, fiber.Map{"AnswerErrors": map[uint]map[string]string{rid: errs}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/attestations/%d?flash=uploaded#answer-%d", a.ID, rid), fiber.StatusSeeOther)
}

// APIUploadEvidence is POST /api/v1/attestations/{id}/evidence/{requirement_id}
// with a multipart field "file"; it answers 201 with the file's SHA-256.
func (h *Handler) APIUploadEvidence(c *fiber.Ctx) error {
	a, rid, err := h.answerTarget(c)
	if err != nil {
		return err
	}
	ev, err := h.storeEvidence(c, a, rid)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(evidenceOf(a.ID, ev))
}

// RequireUploader refuses, before the (large) body is read, everyone whom
// Attestation.EditableBy refuses as the wrong user: a stranger's upload is
// refused on the headers alone. Whether the attestation takes evidence now
// (deadline, submission) AddFileEvidence decides with the same rule in its
// transaction, after the body was read and checked.
func (h *Handler) RequireUploader(c *fiber.Ctx) error {
	a, err := h.attestationFor(c)
	if err != nil {
		return err
	}
	if err := a.EditableBy(currentUser(c), h.now()); errors.Is(err, models.ErrForbidden) {
		return err
	}
	return c.Next()
}

package h265

func (d *Decoder) deblock()  {}
func (d *Decoder) applySAO() {}
